package detect

import (
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
)

// TypeDockerSocketAccessed is reported by dockerSocketAccessed.
const TypeDockerSocketAccessed = "PrivilegeEscalation:Runtime/DockerSocketAccessed"

// dockerSocketAccessed reports a process inside a container that connects
// to the Docker daemon's unix socket (/var/run/docker.sock, /run/docker.sock
// or any path ending in /docker.sock, which covers sockets bind-mounted
// elsewhere). Whoever talks to the daemon can start a privileged container
// with the host's root filesystem: from a container that is an escape.
//
// Host processes are not reported: the docker CLI on the host is the
// socket's normal user. Only successful connects count (Result 0): a
// refused or missing socket (ENOENT, ECONNREFUSED, EACCES) gives no access
// to the daemon, and client libraries probe for the socket routinely, so
// counting attempts would report containers that merely have a docker
// client installed. Abstract sockets ("@…") are not the daemon's.
type dockerSocketAccessed struct{}

func (dockerSocketAccessed) Type() string { return TypeDockerSocketAccessed }

func (d dockerSocketAccessed) Evaluate(ev *event.Event, _ *State) []finding.Observation {
	p, ok := dockerSocketPath(ev)
	if !ok {
		return nil
	}
	return []finding.Observation{{
		Type:    TypeDockerSocketAccessed,
		Time:    ev.Time,
		Key:     p,
		Event:   ev,
		Context: &finding.RuntimeContext{SocketPath: p},
	}}
}

// dockerSocketPath is the pure core: the cleaned socket path when ev is a
// successful unix connect to docker.sock from inside a container.
func dockerSocketPath(ev *event.Event) (string, bool) {
	if ev == nil || ev.Kind != event.KindConnect || ev.Connect == nil || ev.Container == nil {
		return "", false
	}
	c := ev.Connect
	if c.Family != "AF_UNIX" || c.Result != 0 || c.SocketPath == "" || strings.HasPrefix(c.SocketPath, "@") {
		return "", false
	}
	p := c.SocketPath
	if !path.IsAbs(p) && ev.Process.Cwd != "" {
		// connect(2) resolves a relative path against the cwd.
		p = path.Join(ev.Process.Cwd, p)
	}
	p = path.Clean(p)
	if path.Base(p) != "docker.sock" {
		return "", false
	}
	return p, true
}
