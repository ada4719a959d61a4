// Package kerneltest holds the one gate that every test touching the real
// kernel (eBPF programs, namespaces, runc containers) calls first.
//
// Where the kernel or privileges are missing the test is skipped with the
// reason; when VIGIL_TEST_KERNEL=1 (set by .ci/run, which runs as root on a
// kernel that supports everything) a missing requirement fails the test
// instead, so CI can never go green by skipping.
package kerneltest

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Required reports whether kernel tests must run (VIGIL_TEST_KERNEL=1).
func Required() bool { return os.Getenv("VIGIL_TEST_KERNEL") == "1" }

// Require checks each named requirement and skips (or, when Required, fails)
// the test at the first one that is missing.
// Known requirements: "root", "btf", "runc", "busybox", "cgroup2".
func Require(t testing.TB, reqs ...string) {
	t.Helper()
	for _, r := range reqs {
		if err := check(r); err != nil {
			if Required() {
				t.Fatalf("kernel test requirement %q missing (VIGIL_TEST_KERNEL=1): %v", r, err)
			}
			t.Skipf("skipping: requirement %q missing: %v (set VIGIL_TEST_KERNEL=1 to fail instead)", r, err)
		}
	}
}

func check(req string) error {
	switch req {
	case "root":
		if os.Geteuid() != 0 {
			return fmt.Errorf("needs root (euid %d)", os.Geteuid())
		}
	case "btf":
		if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
			return fmt.Errorf("kernel BTF: %w", err)
		}
	case "runc":
		if _, err := exec.LookPath("runc"); err != nil {
			return fmt.Errorf("runc binary: %w", err)
		}
	case "busybox":
		if _, err := BusyboxPath(); err != nil {
			return err
		}
	case "cgroup2":
		if CgroupV2Root() == "" {
			return fmt.Errorf("no cgroup2 mount at /sys/fs/cgroup or /sys/fs/cgroup/unified")
		}
	default:
		return fmt.Errorf("unknown requirement %q", req)
	}
	return nil
}

// BusyboxPath finds a statically linked busybox (Debian's busybox-static).
func BusyboxPath() (string, error) {
	for _, p := range []string{"/bin/busybox", "/usr/bin/busybox"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("busybox not found in /bin or /usr/bin (apt-get install busybox-static)")
}

// CgroupV2Root returns the cgroup2 mount point: /sys/fs/cgroup on pure v2
// hosts, /sys/fs/cgroup/unified on v1 hybrid hosts, "" when neither.
func CgroupV2Root() string {
	for _, p := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified"} {
		if _, err := os.Stat(p + "/cgroup.controllers"); err == nil {
			return p
		}
	}
	return ""
}
