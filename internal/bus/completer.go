package bus

import (
	"context"
	"log/slog"
	"time"
)

// completer batches the completions of sent deliveries into few outbox
// transactions. A crash before a batch is written only means those
// deliveries are sent again after their lease (at least once, with the
// same event id), never that one is lost.
type completer struct {
	outbox Outbox
	log    *slog.Logger
	ids    chan int64
	done   chan struct{}
}

// completeBatch and completeDelay bound how long a completion waits: a
// full batch is written at once, a partial one after completeDelay.
const (
	completeBatch = 128
	completeDelay = 5 * time.Millisecond
)

func newCompleter(o Outbox, log *slog.Logger) *completer {
	return &completer{outbox: o, log: log, ids: make(chan int64, completeBatch), done: make(chan struct{})}
}

func (c *completer) add(id int64) { c.ids <- id }

// close writes what is pending and waits for run to return.
func (c *completer) close() {
	close(c.ids)
	<-c.done
}

func (c *completer) run() {
	defer close(c.done)
	var batch []int64
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case id, ok := <-c.ids:
			if !ok {
				c.flush(batch)
				return
			}
			batch = append(batch, id)
			if len(batch) == 1 {
				timer.Reset(completeDelay)
			}
			if len(batch) >= completeBatch {
				timer.Stop()
				batch = c.flush(batch)
			}
		case <-timer.C:
			batch = c.flush(batch)
		}
	}
}

func (c *completer) flush(batch []int64) []int64 {
	if len(batch) == 0 {
		return batch
	}
	ctx, cancel := context.WithTimeout(context.Background(), bookkeepingTimeout)
	defer cancel()
	if err := c.outbox.CompleteMany(ctx, batch); err != nil {
		c.log.Warn("delivered but not marked complete; they may be delivered again", "deliveries", len(batch), "err", err)
	}
	return batch[:0]
}
