package e2e

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/mailpittest"
	"github.com/vigilsec/vigil/internal/polltest"
)

// BenchmarkConnectToEmail measures, over 20 runs, the time from a
// container's connect() to /var/run/docker.sock (the kernel timestamp the
// finding carries as eventFirstSeen) to the notification mail accepted by
// the SMTP server (mailpit's receive time), and the agent's resident memory
// afterwards. Run it once:
//
//	VIGIL_TEST_KERNEL=1 go test -run '^$' -bench ConnectToEmail -benchtime 1x ./test/e2e
func BenchmarkConnectToEmail(b *testing.B) {
	const runs = 20
	e := setup(b)
	sock := dockerSock(b)
	var lat []time.Duration
	for range b.N {
		for i := 0; i < runs; i++ {
			res := runProbe(b, sock, "unix", "/var/run/docker.sock")
			f := waitFinding(b, e, res.ID)
			sent, err := time.Parse(time.RFC3339Nano, f.Service.EventFirstSeen)
			if err != nil {
				b.Fatal(err)
			}
			m := waitMail(b, e.mail, "in container "+res.ID)
			lat = append(lat, m.Created.Sub(sent))
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p50, p99 := lat[len(lat)/2], lat[(len(lat)*99+99)/100-1]
	b.ReportMetric(float64(p50.Milliseconds()), "p50-ms")
	b.ReportMetric(float64(p99.Milliseconds()), "p99-ms")
	rss, anon := memKiB(b, e.agent.cmd.Process.Pid)
	b.ReportMetric(float64(rss)/1024, "agent-rss-MiB")
	b.ReportMetric(float64(anon)/1024, "agent-anon-MiB")
	b.Logf("connect→mail over %d runs: p50 %v, p99 %v, max %v; agent RSS %d KiB (anonymous %d KiB; the rest is the shared binary's text)",
		len(lat), p50, p99, lat[len(lat)-1], rss, anon)
}

func waitFinding(b testing.TB, e *env, containerID string) finding.Finding {
	var f finding.Finding
	polltest.Until(b, 20*time.Second, "finding for "+containerID, func() bool {
		var ok bool
		f, ok = findByType(findings(b, e.data), "PrivilegeEscalation:Runtime/DockerSocketAccessed", func(f finding.Finding) bool {
			return f.Resource.ContainerDetails != nil && f.Resource.ContainerDetails.ID == containerID
		})
		return ok
	})
	return f
}

func waitMail(b testing.TB, mp *mailpittest.Mailpit, subject string) mailpittest.Summary {
	var got mailpittest.Summary
	mp.WaitFor(b, func(ms []mailpittest.Summary) bool {
		for _, m := range ms {
			if strings.Contains(m.Subject, subject) {
				got = m
				return true
			}
		}
		return false
	}, 20*time.Second)
	return got
}

// memKiB reads VmRSS and RssAnon of a process.
func memKiB(b testing.TB, pid int) (rss, anon int) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "VmRSS:":
			rss = n
		case "RssAnon:":
			anon = n
		}
	}
	if rss == 0 {
		b.Fatal("no VmRSS in /proc/PID/status")
	}
	return rss, anon
}
