package review

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"github.com/trustc-dev/trustc/release"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// fill sets every field of m, recursively, to a value that is not the
// default, with one element in every list and map, so that every leaf the
// schema has exists in m.
func fill(m protoreflect.Message) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		switch {
		case fd.IsList():
			l := m.Mutable(fd).List()
			if fd.Message() != nil {
				e := l.NewElement()
				fill(e.Message())
				l.Append(e)
			} else {
				l.Append(filled(fd))
			}
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			k := filled(fd.MapKey()).MapKey()
			if fd.MapValue().Message() != nil {
				v := mp.NewValue()
				fill(v.Message())
				mp.Set(k, v)
			} else {
				mp.Set(k, filled(fd.MapValue()))
			}
		case fd.Message() != nil:
			fill(m.Mutable(fd).Message())
		default:
			m.Set(fd, filled(fd))
		}
	}
}

func filled(fd protoreflect.FieldDescriptor) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true)
	case protoreflect.EnumKind:
		vals := fd.Enum().Values()
		return protoreflect.ValueOfEnum(vals.Get(vals.Len() - 1).Number())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(5)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		// Timestamp.seconds lands here: a real date, 2023-11-14.
		return protoreflect.ValueOfInt64(1700000000)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(3)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(3)
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(1.5)
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(1.5)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString("v-" + string(fd.Name()))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte("b-" + string(fd.Name())))
	}
	panic(fmt.Sprintf("no filled value for %s", fd.Kind()))
}

// mutated returns a different value of fd's kind than v.
func mutated(fd protoreflect.FieldDescriptor, v protoreflect.Value) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(!v.Bool())
	case protoreflect.EnumKind:
		vals := fd.Enum().Values()
		for i := range vals.Len() {
			if n := vals.Get(i).Number(); n != v.Enum() && n != 0 {
				return protoreflect.ValueOfEnum(n)
			}
		}
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(v.Int()) + 1)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(v.Int() + 1)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(v.Uint()) + 1)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(v.Uint() + 1)
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(v.Float()) + 1)
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(v.Float() + 1)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(v.String() + "-x")
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes(append(slices.Clone(v.Bytes()), 'x'))
	}
	panic(fmt.Sprintf("cannot mutate %s", fd.FullName()))
}

// leaf is one scalar field somewhere below a root message: the steps to it
// and its JSON path.
type leaf struct {
	steps []step
	path  string
}

type step struct {
	fd    protoreflect.FieldDescriptor
	index int // in a list; -1 otherwise
}

// leavesOf walks m's descriptor (through element 0 of every list) and
// lists every scalar leaf, including Timestamp's seconds and nanos: a new
// field protobuf-specs adds anywhere appears here without a code change.
func leavesOf(m protoreflect.Message, prefix []step, path string) []leaf {
	var out []leaf
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		p := join(path, fd.JSONName())
		switch {
		case fd.IsList() && fd.Message() != nil:
			s := append(slices.Clone(prefix), step{fd, 0})
			out = append(out, leavesOf(m.Get(fd).List().Get(0).Message(), s, p+"[0]")...)
		case fd.IsList():
			out = append(out, leaf{append(slices.Clone(prefix), step{fd, 0}), p + "[0]"})
		case fd.IsMap():
			out = append(out, leaf{append(slices.Clone(prefix), step{fd, -1}), p})
		case fd.Message() != nil:
			s := append(slices.Clone(prefix), step{fd, -1})
			out = append(out, leavesOf(m.Get(fd).Message(), s, p)...)
		default:
			out = append(out, leaf{append(slices.Clone(prefix), step{fd, -1}), p})
		}
	}
	return out
}

// mutate changes the leaf in root.
func mutate(root protoreflect.Message, l leaf) {
	m := root
	for _, s := range l.steps[:len(l.steps)-1] {
		if s.index >= 0 {
			m = m.Mutable(s.fd).List().Get(s.index).Message()
		} else {
			m = m.Mutable(s.fd).Message()
		}
	}
	last := l.steps[len(l.steps)-1]
	switch {
	case last.fd.IsList():
		lst := m.Mutable(last.fd).List()
		lst.Set(last.index, mutated(last.fd, lst.Get(last.index)))
	case last.fd.IsMap():
		mp := m.Mutable(last.fd).Map()
		mp.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
			mp.Set(k, mutated(last.fd.MapValue(), v))
			return false
		})
	default:
		m.Set(last.fd, mutated(last.fd, m.Get(last.fd)))
	}
}

// identity lists the leaves that identify an entry (model.Identity: a
// log by key and URL, whatever its id; a chain by its certificates):
// changing one makes a new entry, reported as the old one removed and a
// new one added. A log id is not among them: a corrected id is a change.
var identity = []string{
	"tlogs[0].baseUrl", "tlogs[0].publicKey.rawBytes",
	"ctlogs[0].baseUrl", "ctlogs[0].publicKey.rawBytes",
	"certificateAuthorities[0].certChain.certificates[0].rawBytes",
	"timestampAuthorities[0].certChain.certificates[0].rawBytes",
	"caUrls[0].url", "caUrls[0].majorApiVersion",
	"oidcUrls[0].url", "oidcUrls[0].majorApiVersion",
	"rekorTlogUrls[0].url", "rekorTlogUrls[0].majorApiVersion",
	"tsaUrls[0].url", "tsaUrls[0].majorApiVersion",
}

func entryPath(path string) string {
	i := strings.Index(path, "]")
	return path[:i+1]
}

// envWith is a one-environment release holding msg as the file it is.
func envWith(t *testing.T, msg proto.Message) *release.Release {
	t.Helper()
	b, err := protojson.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	e := &release.Env{Name: "test", TrustedRoot: &release.TrustedRootFile{Name: release.TrustedRootName, Bytes: []byte("{}"), Msg: &prototrustroot.TrustedRoot{}}}
	switch m := msg.(type) {
	case *prototrustroot.TrustedRoot:
		e.TrustedRoot = &release.TrustedRootFile{Name: release.TrustedRootName, Bytes: b, Msg: m}
	case *prototrustroot.SigningConfig:
		e.SigningConfigs = []*release.SigningConfigFile{{Name: "signing_config.v0.2.json", Bytes: b, Msg: m}}
	}
	return &release.Release{Envs: []*release.Env{e}}
}

// TestEveryFieldIsReviewed mutates, one at a time, every leaf field of a
// TrustedRoot and a SigningConfig in which every field is set, and checks
// that the review reports it at its path: as a change of that field, or,
// for a field that identifies its entry, as that entry removed and added.
func TestEveryFieldIsReviewed(t *testing.T) {
	checked := 0
	for _, root := range []proto.Message{&prototrustroot.TrustedRoot{}, &prototrustroot.SigningConfig{}} {
		fill(root.ProtoReflect())
		base := envWith(t, root)
		for _, l := range leavesOf(root.ProtoReflect(), nil, "") {
			t.Run(string(root.ProtoReflect().Descriptor().Name())+"/"+l.path, func(t *testing.T) {
				m := proto.Clone(root)
				mutate(m.ProtoReflect(), l)
				r := Diff(base, envWith(t, m), Options{Now: snapshotDay})
				if len(r.Envs) != 1 || r.FormattingOnly() {
					t.Fatalf("review does not see the change:\n%s", r.Text())
				}
				var changes []Change
				for _, f := range r.Envs[0].Files {
					changes = append(changes, f.Changes...)
				}
				md := string(r.Markdown())
				if slices.Contains(identity, l.path) {
					ep := entryPath(l.path)
					added := slices.ContainsFunc(changes, func(c Change) bool { return c.Op == Added && c.Path == ep })
					removed := slices.ContainsFunc(changes, func(c Change) bool { return c.Op == Removed && c.Path == ep })
					if !added || !removed {
						t.Errorf("identity field: want %s removed and added, got %+v", ep, changes)
					}
					return
				}
				i := slices.IndexFunc(changes, func(c Change) bool {
					return c.Op == Changed && (c.Path == l.path || strings.HasPrefix(l.path, c.Path+"."))
				})
				if i < 0 {
					t.Fatalf("no change at %s; got %+v", l.path, changes)
				}
				c := changes[i]
				if c.Old == c.New {
					t.Errorf("change at %s renders old and new alike: %q", c.Path, c.Old)
				}
				if !strings.Contains(md, "(`"+c.Path+"`)") || !strings.Contains(md, c.New) {
					t.Errorf("markdown lacks %s or its new value %q", c.Path, c.New)
				}
			})
			checked++
		}
	}
	t.Logf("mutated %d leaf fields", checked)
}

// TestEveryLegacyFieldIsReviewed does the same for the v0.1 signing
// config, a plain struct walked by reflection.
func TestEveryLegacyFieldIsReviewed(t *testing.T) {
	base := release.LegacySigningConfig{MediaType: release.SigningConfigMediaType01, CAURL: "https://ca", OIDCURL: "https://oidc",
		TlogURLs: []string{"https://tlog"}, TSAURLs: []string{"https://tsa"}}
	rel := func(l release.LegacySigningConfig) *release.Release {
		e := &release.Env{Name: "test", TrustedRoot: &release.TrustedRootFile{Name: release.TrustedRootName, Bytes: []byte("{}"), Msg: &prototrustroot.TrustedRoot{}},
			Legacy: &release.LegacySigningConfigFile{Name: release.LegacySigningConfigName, Bytes: []byte(fmt.Sprint(l)), Msg: &l}}
		return &release.Release{Envs: []*release.Env{e}}
	}
	typ := reflect.TypeOf(base)
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		t.Run(name, func(t *testing.T) {
			m := base
			f := reflect.ValueOf(&m).Elem().Field(i)
			switch f.Kind() {
			case reflect.String:
				f.SetString(f.String() + "-x")
			case reflect.Slice:
				f.Set(reflect.Append(f, reflect.ValueOf("https://more")))
			default:
				t.Fatalf("field %s of kind %s: teach this test to mutate it", name, f.Kind())
			}
			r := Diff(rel(base), rel(m), Options{})
			if len(r.Envs) != 1 {
				t.Fatalf("review does not see the change")
			}
			changes := r.Envs[0].Files[0].Changes
			if len(changes) != 1 || changes[0].Path != name {
				t.Errorf("want one change at %s, got %+v", name, changes)
			}
		})
	}
}
