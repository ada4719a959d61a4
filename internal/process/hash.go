package process

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// tooLarge marks a cached executable that is over the size cap, so that it
// is not tried again for every process running it.
const tooLarge = "-"

// maxHashCache bounds the digest cache; past it the cache starts over.
const maxHashCache = 16384

// hashQueue bounds pending hash requests; when full a request is dropped and
// made again on the process's next event, so the event path never waits.
const hashQueue = 1024

type hashJob struct {
	pid uint32
	key fileKey
}

// hasher computes SHA-256 digests of executables off the event path, one at
// a time, caching them by file identity so a busy binary is hashed once.
type hasher struct {
	procRoot string
	maxBytes int64
	jobs     chan hashJob
	stop     chan struct{}
	wg       sync.WaitGroup

	mu      sync.Mutex
	sums    map[fileKey]string
	pending map[fileKey]bool
}

func newHasher(procRoot string, maxBytes int64) *hasher {
	h := &hasher{
		procRoot: procRoot, maxBytes: maxBytes,
		jobs: make(chan hashJob, hashQueue), stop: make(chan struct{}),
		sums: map[fileKey]string{}, pending: map[fileKey]bool{},
	}
	h.wg.Add(1)
	go h.run()
	return h
}

func (h *hasher) close() {
	close(h.stop)
	h.wg.Wait()
}

// sum returns the cached digest for key, "" if not (yet) known. When it is
// unknown it asks for it to be computed from pid's executable, without
// blocking.
func (h *hasher) sum(pid uint32, key fileKey) string {
	if key == (fileKey{}) {
		return ""
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.sums[key]; ok {
		if s == tooLarge {
			return ""
		}
		return s
	}
	if h.pending[key] {
		return ""
	}
	select {
	case h.jobs <- hashJob{pid: pid, key: key}:
		h.pending[key] = true
	default:
	}
	return ""
}

// sumNow is sum, but computes an unknown digest at once when the file is
// at most syncMax bytes (cached like the background ones).
func (h *hasher) sumNow(pid uint32, key fileKey, syncMax int64) string {
	if key == (fileKey{}) {
		return ""
	}
	h.mu.Lock()
	s, ok := h.sums[key]
	h.mu.Unlock()
	if ok {
		if s == tooLarge {
			return ""
		}
		return s
	}
	if key.size > syncMax {
		return h.sum(pid, key)
	}
	s, err := h.hash(hashJob{pid: pid, key: key})
	if err != nil || s == tooLarge {
		return h.sum(pid, key)
	}
	h.store(key, s)
	return s
}

func (h *hasher) store(key fileKey, s string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.sums) >= maxHashCache {
		h.sums = map[fileKey]string{}
	}
	h.sums[key] = s
}

func (h *hasher) run() {
	defer h.wg.Done()
	for {
		select {
		case <-h.stop:
			return
		case j := <-h.jobs:
			s, err := h.hash(j)
			h.mu.Lock()
			delete(h.pending, j.key)
			if err == nil {
				if len(h.sums) >= maxHashCache {
					h.sums = map[fileKey]string{}
				}
				h.sums[j.key] = s
			}
			h.mu.Unlock()
		}
	}
}

// hash reads the executable through /proc/<pid>/exe, which works for
// binaries deleted after exec and for those in other mount namespaces.
func (h *hasher) hash(j hashJob) (string, error) {
	path := filepath.Join(h.procRoot, strconv.FormatUint(uint64(j.pid), 10), "exe")
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("opening executable: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("stat executable: %w", err)
	}
	// The process may have exec'd something else since the request.
	if keyOf(fi) != j.key {
		return "", fmt.Errorf("executable of pid %d changed", j.pid)
	}
	if fi.Size() > h.maxBytes {
		return tooLarge, nil
	}
	d := sha256.New()
	if _, err := io.Copy(d, io.LimitReader(f, h.maxBytes)); err != nil {
		return "", fmt.Errorf("hashing executable: %w", err)
	}
	return hex.EncodeToString(d.Sum(nil)), nil
}

// exeKey stats the executable of pid (following /proc/<pid>/exe).
func exeKey(procRoot string, pid uint32) fileKey {
	fi, err := os.Stat(filepath.Join(procRoot, strconv.FormatUint(uint64(pid), 10), "exe"))
	if err != nil {
		return fileKey{}
	}
	return keyOf(fi)
}
