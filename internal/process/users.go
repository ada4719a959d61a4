package process

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// maxPasswdBytes bounds what is read of a (possibly hostile) container's
// /etc/passwd: names beyond it stay unresolved.
const maxPasswdBytes = 4 << 20

// maxPasswdFiles bounds the cache; past it the cache starts over, which costs
// one re-read per distinct passwd file.
const maxPasswdFiles = 256

// users resolves UIDs to names through the /etc/passwd seen by a process
// (/proc/<pid>/root/etc/passwd), so container users resolve against the
// container's own file. Parsed files are cached by identity and mtime.
type users struct {
	procRoot string
	mu       sync.Mutex
	files    map[fileKey]map[uint32]string
}

func newUsers(procRoot string) *users {
	return &users{procRoot: procRoot, files: map[fileKey]map[uint32]string{}}
}

// lookup returns the user name of uid for the process pid, "" if unknown.
// It costs one stat on a cache hit.
func (u *users) lookup(pid, uid uint32) string {
	path := filepath.Join(u.procRoot, strconv.FormatUint(uint64(pid), 10), "root/etc/passwd")
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	key := keyOf(fi)
	u.mu.Lock()
	m, ok := u.files[key]
	u.mu.Unlock()
	if !ok {
		m = readPasswd(path)
		u.mu.Lock()
		if len(u.files) >= maxPasswdFiles {
			u.files = map[fileKey]map[uint32]string{}
		}
		u.files[key] = m
		u.mu.Unlock()
	}
	return m[uid]
}

func readPasswd(path string) map[uint32]string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPasswdBytes))
	if err != nil {
		return nil
	}
	return parsePasswd(data)
}

// parsePasswd maps uid → name; the first entry for a uid wins, as in getpwuid.
func parsePasswd(data []byte) map[uint32]string {
	m := map[uint32]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 4096), 64<<10)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), ":", 4)
		if len(f) < 4 || f[0] == "" || strings.HasPrefix(f[0], "#") {
			continue
		}
		uid, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			continue
		}
		if _, dup := m[uint32(uid)]; !dup {
			m[uint32(uid)] = f[0]
		}
	}
	return m
}

// fileKey identifies a file's content cheaply: same device, inode, size and
// mtime is taken as same content (what package managers and image layers
// change when they replace a file).
type fileKey struct {
	dev, ino uint64
	size     int64
	mtime    int64
}

func keyOf(fi os.FileInfo) fileKey {
	k := fileKey{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		k.dev, k.ino = uint64(st.Dev), st.Ino
	}
	return k
}
