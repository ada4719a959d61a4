package wire

import (
	"github.com/vigilsec/vigil/internal/event"
	pb "github.com/vigilsec/vigil/internal/wire/agentpb"
)

func processToProto(p event.Process) *pb.Process {
	return &pb.Process{
		Uuid: clean(p.UUID), ParentUuid: clean(p.ParentUUID),
		Pid: p.PID, NamespacePid: p.NamespacePID, Ppid: p.PPID,
		Name: clean(p.Name), ExecutablePath: clean(p.ExecutablePath),
		ExecutableSha256: clean(p.ExecutableSHA256), Args: cleanAll(p.Args), Cwd: clean(p.Cwd),
		Uid: p.UID, Gid: p.GID, Euid: p.EUID, Egid: p.EGID, User: clean(p.User),
		StartTimeUnixNano: toNanos(p.StartTime), CgroupId: p.CgroupID,
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
		Id: clean(c.ID), Runtime: clean(c.Runtime), Name: clean(c.Name),
		Image: clean(c.Image), ImageId: clean(c.ImageID),
		PodName: clean(c.PodName), PodUid: clean(c.PodUID), PodNamespace: clean(c.PodNamespace),
	}
	if t := c.ECS; t != nil {
		out.Ecs = &pb.ECSTask{
			ClusterArn: clean(t.ClusterARN), TaskArn: clean(t.TaskARN),
			Family: clean(t.Family), Revision: clean(t.Revision), LaunchType: clean(t.LaunchType),
			CreatedAtUnixNano: toNanos(t.CreatedAt), StartedAtUnixNano: toNanos(t.StartedAt),
			StartedBy: clean(t.StartedBy), ServiceName: clean(t.ServiceName),
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
