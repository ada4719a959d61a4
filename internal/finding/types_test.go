package finding

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestTypesTable(t *testing.T) {
	all := Types()
	if len(all) != 46 {
		t.Fatalf("%d runtime types, want 46 (spec §1.3)", len(all))
	}
	name := regexp.MustCompile(`^[A-Za-z]+:Runtime/[A-Za-z&.!]+$`)
	ctxFields := runtimeContextJSONNames()
	seen := map[string]bool{}
	for _, ti := range all {
		if seen[ti.Name] {
			t.Errorf("%s listed twice", ti.Name)
		}
		seen[ti.Name] = true
		if !name.MatchString(ti.Name) {
			t.Errorf("%q is not Category:Runtime/Name", ti.Name)
		}
		if ti.Severity != SeverityLow && ti.Severity != SeverityMedium && ti.Severity != SeverityHigh {
			t.Errorf("%s: severity %v, want 2, 5 or 8", ti.Name, ti.Severity)
		}
		if ti.Title == "" || ti.Description == "" || !strings.Contains(ti.Title, "{resource}") {
			t.Errorf("%s: title %q must name {resource}", ti.Name, ti.Title)
		}
		isDNS := strings.HasSuffix(ti.Name, "!DNS") || strings.HasSuffix(ti.Name, ".Reputation") ||
			ti.Name == "UnauthorizedAccess:Runtime/MetadataDNSRebind"
		if isDNS != (ti.Action == ActionDNSRequest) {
			t.Errorf("%s: action %q", ti.Name, ti.Action)
		}
		for _, f := range ti.ContextFields {
			if !ctxFields[f] {
				t.Errorf("%s: context field %q is not a RuntimeContext JSON name", ti.Name, f)
			}
		}
		got, ok := Lookup(ti.Name)
		if !ok || !reflect.DeepEqual(got, ti) {
			t.Errorf("Lookup(%s) = %v, %v", ti.Name, got, ok)
		}
	}
	for _, n := range []string{"CredentialAccess:Runtime/MemoryDumpCreated", "Runtime:ECS/CryptoMiner", ""} {
		if _, ok := Lookup(n); ok {
			t.Errorf("Lookup(%q) found a type that GuardDuty does not have", n)
		}
	}
	if len(TypeNames()) != 46 {
		t.Error("TypeNames length")
	}
}

func TestTypesIsACopy(t *testing.T) {
	a := Types()
	a[0].Name = "changed"
	a[19].ContextFields[0] = "changed"
	if Types()[0].Name == "changed" || Types()[19].ContextFields[0] == "changed" {
		t.Error("Types() exposes the table")
	}
}

func TestScopes(t *testing.T) {
	container := []string{"NewBinaryExecuted", "DockerSocketAccessed", "RuncContainerEscape",
		"CGroupsReleaseAgentModified", "NewLibraryLoaded", "ContainerMountsHostDirectory"}
	n := 0
	for _, ti := range Types() {
		switch ti.Scope {
		case ScopeContainer:
			n++
			if !slicesContainsSuffix(container, ti.Name) {
				t.Errorf("%s should not be container-only", ti.Name)
			}
		case ScopeHost:
			if ti.Name != "DefenseEvasion:Runtime/KernelModuleLoaded" {
				t.Errorf("%s should not be host-only", ti.Name)
			}
		}
	}
	if n != len(container) {
		t.Errorf("%d container-only types, want %d", n, len(container))
	}
}

func slicesContainsSuffix(list []string, name string) bool {
	for _, s := range list {
		if strings.HasSuffix(name, "/"+s) {
			return true
		}
	}
	return false
}

func runtimeContextJSONNames() map[string]bool {
	m := map[string]bool{}
	rt := reflect.TypeOf(RuntimeContext{})
	for i := range rt.NumField() {
		m[strings.Split(rt.Field(i).Tag.Get("json"), ",")[0]] = true
	}
	return m
}
