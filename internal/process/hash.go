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

// maxPins bounds the executables held open for hashing (see pin).
const maxPins = 256

type hashJob struct {
	pid uint32
	key fileKey
	f   *os.File // the pinned executable; nil = open /proc/<pid>/exe
}

// hasher computes SHA-256 digests of executables, caching them by file
// identity so a busy binary is hashed once. Executables seen at exec are
// pinned (held open), so a process that exits before its digest is made
// still gets one.
type hasher struct {
	procRoot string
	maxBytes int64
	jobs     chan hashJob
	stop     chan struct{}
	wg       sync.WaitGroup

	mu      sync.Mutex
	sums    map[fileKey]string
	pending map[fileKey]bool
	pins    map[fileKey]*os.File
}

func newHasher(procRoot string, maxBytes int64) *hasher {
	h := &hasher{
		procRoot: procRoot, maxBytes: maxBytes,
		jobs: make(chan hashJob, hashQueue), stop: make(chan struct{}),
		sums: map[fileKey]string{}, pending: map[fileKey]bool{}, pins: map[fileKey]*os.File{},
	}
	h.wg.Add(1)
	go h.run()
	return h
}

// close stops the worker and lets go of every pinned file.
func (h *hasher) close() {
	close(h.stop)
	h.wg.Wait()
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, f := range h.pins {
		f.Close()
		delete(h.pins, k)
	}
	for {
		select {
		case j := <-h.jobs:
			if j.f != nil {
				j.f.Close()
			}
		default:
			return
		}
	}
}

// pin returns the identity of pid's executable. Unless its digest is
// known, pending or already pinned, it also keeps the file open until
// digest hashes it: that takes an open (microseconds) while the process is
// certainly alive, at exec, and leaves the hashing (milliseconds) for later.
// A binary already known costs one stat, as before pinning.
func (h *hasher) pin(pid uint32) fileKey {
	key := exeKey(h.procRoot, pid)
	if key == (fileKey{}) || !h.wants(key) {
		return key
	}
	f, err := os.Open(filepath.Join(h.procRoot, strconv.FormatUint(uint64(pid), 10), "exe"))
	if err != nil {
		return key
	}
	// The process may have exec'd again between the stat and the open.
	if fi, err := f.Stat(); err != nil || keyOf(fi) != key {
		f.Close()
		return key
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.wantsLocked(key) {
		f.Close()
		return key
	}
	h.pins[key] = f
	return key
}

// wants says whether key's file is worth pinning.
func (h *hasher) wants(key fileKey) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.wantsLocked(key)
}

func (h *hasher) wantsLocked(key fileKey) bool {
	_, cached := h.sums[key]
	_, pinned := h.pins[key]
	return !cached && !pinned && !h.pending[key] && len(h.pins) < maxPins
}

// cached returns key's digest if it is known.
func (h *hasher) cached(key fileKey) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, _ := h.cachedLocked(key)
	return s
}

// cachedLocked returns key's digest and whether the cache has a verdict on
// it: an executable over the size cap is known, without a digest.
func (h *hasher) cachedLocked(key fileKey) (string, bool) {
	s, ok := h.sums[key]
	if s == tooLarge {
		s = ""
	}
	return s, ok
}

// sum returns the cached digest for key, "" if not (yet) known. When it is
// unknown and not pinned (digest will hash a pinned one) it asks for it to
// be computed from pid's executable, without blocking.
func (h *hasher) sum(pid uint32, key fileKey) string {
	if key == (fileKey{}) {
		return ""
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.cachedLocked(key); ok {
		return s
	}
	if h.pending[key] || h.pins[key] != nil {
		return ""
	}
	h.enqueueLocked(hashJob{pid: pid, key: key})
	return ""
}

// enqueueLocked hands j to the worker; a full queue drops it (and its
// pinned file), to be asked for again on a later event.
func (h *hasher) enqueueLocked(j hashJob) {
	select {
	case h.jobs <- j:
		h.pending[j.key] = true
	default:
		if j.f != nil {
			j.f.Close()
		}
	}
}

// digest returns key's digest: from the cache; else hashed now from the
// pinned file when that is at most syncMax bytes; else "" while it is made
// in the background (from the pinned file, or through /proc/<pid>/exe).
func (h *hasher) digest(pid uint32, key fileKey, syncMax int64) string {
	if key == (fileKey{}) {
		return ""
	}
	h.mu.Lock()
	s, ok := h.cachedLocked(key)
	f := h.pins[key]
	if !ok && f != nil {
		delete(h.pins, key)
	}
	h.mu.Unlock()
	switch {
	case ok:
		return s
	case f == nil:
		return h.sum(pid, key)
	case key.size > syncMax:
		h.mu.Lock()
		h.enqueueLocked(hashJob{pid: pid, key: key, f: f})
		h.mu.Unlock()
		return ""
	}
	s, err := h.hash(hashJob{pid: pid, key: key, f: f})
	if err != nil {
		return ""
	}
	h.store(key, s)
	if s == tooLarge {
		return ""
	}
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
			if err == nil {
				h.store(j.key, s)
			}
			h.mu.Lock()
			delete(h.pending, j.key)
			h.mu.Unlock()
		}
	}
}

// hash reads the pinned file, or the executable through /proc/<pid>/exe,
// which works for binaries deleted after exec and for those in other mount
// namespaces. It closes what it reads.
func (h *hasher) hash(j hashJob) (string, error) {
	f := j.f
	if f == nil {
		var err error
		path := filepath.Join(h.procRoot, strconv.FormatUint(uint64(j.pid), 10), "exe")
		if f, err = os.Open(path); err != nil {
			return "", fmt.Errorf("opening executable: %w", err)
		}
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
