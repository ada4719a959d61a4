package wire

import (
	"github.com/vigilsec/vigil/internal/event"
	pb "github.com/vigilsec/vigil/internal/wire/agentpb"
)

func processToProto(p event.Process) *pb.Process {
	return &pb.Process{
		Uuid: token(p.UUID, MaxIDLen), ParentUuid: token(p.ParentUUID, MaxIDLen),
		Pid: p.PID, NamespacePid: p.NamespacePID, Ppid: p.PPID,
		Name: text(p.Name, MaxNameLen), ExecutablePath: text(p.ExecutablePath, MaxPathLen),
		ExecutableSha256: clean(p.ExecutableSHA256), Args: argv(p.Args), Cwd: text(p.Cwd, MaxPathLen),
		Uid: p.UID, Gid: p.GID, Euid: p.EUID, Egid: p.EGID, User: text(p.User, MaxNameLen),
		StartTimeUnixNano: toNanos(plausible(p.StartTime)), CgroupId: p.CgroupID,
	}
}

func processFromProto(p *pb.Process) event.Process {
	out := event.Process{
		UUID: p.Uuid, ParentUUID: p.ParentUuid,
		PID: p.Pid, NamespacePID: p.NamespacePid, PPID: p.Ppid,
		Name: p.Name, ExecutablePath: p.ExecutablePath, ExecutableSHA256: p.ExecutableSha256,
		Cwd: p.Cwd, UID: p.Uid, GID: p.Gid, EUID: p.Euid, EGID: p.Egid, User: p.User,
		StartTime: fromNanos(p.StartTimeUnixNano), CgroupID: p.CgroupId,
	}
	if len(p.Args) > 0 {
		out.Args = append([]string(nil), p.Args...)
	}
	return out
}

func containerToProto(c *event.Container) *pb.Container {
	if c == nil {
		return nil
	}
	out := &pb.Container{
		Id: token(c.ID, MaxIDLen), Runtime: text(c.Runtime, MaxNameLen), Name: text(c.Name, MaxNameLen),
		Image: text(c.Image, MaxImageLen), ImageId: text(c.ImageID, MaxImageLen),
		PodName: text(c.PodName, MaxNameLen), PodUid: token(c.PodUID, MaxIDLen),
		PodNamespace: text(c.PodNamespace, MaxNameLen),
	}
	if t := c.ECS; t != nil {
		out.Ecs = &pb.ECSTask{
			ClusterArn: arn(t.ClusterARN), TaskArn: arn(t.TaskARN),
			Family: text(t.Family, MaxNameLen), Revision: text(t.Revision, MaxNameLen), LaunchType: text(t.LaunchType, MaxNameLen),
			CreatedAtUnixNano: toNanos(plausible(t.CreatedAt)), StartedAtUnixNano: toNanos(plausible(t.StartedAt)),
			StartedBy: text(t.StartedBy, MaxNameLen), ServiceName: text(t.ServiceName, MaxNameLen),
		}
	}
	return out
}

func containerFromProto(c *pb.Container) *event.Container {
	if c == nil {
		return nil
	}
	out := &event.Container{
		ID: c.Id, Runtime: c.Runtime, Name: c.Name, Image: c.Image, ImageID: c.ImageId,
		PodName: c.PodName, PodUID: c.PodUid, PodNamespace: c.PodNamespace,
	}
	if t := c.Ecs; t != nil {
		out.ECS = &event.ECSTask{
			ClusterARN: t.ClusterArn, TaskARN: t.TaskArn, Family: t.Family,
			Revision: t.Revision, LaunchType: t.LaunchType,
			CreatedAt: fromNanos(t.CreatedAtUnixNano), StartedAt: fromNanos(t.StartedAtUnixNano),
			StartedBy: t.StartedBy, ServiceName: t.ServiceName,
		}
	}
	return out
}
