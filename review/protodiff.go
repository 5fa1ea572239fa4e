package review

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// delta is one difference found by walking two messages. Entry-level
// deltas (added, removed, reordered) come from top-level lists; leaf
// deltas (changed) from every other field.
type delta struct {
	op Op
	// section is the top-level field's JSON name, e.g. "tlogs".
	section string
	// entry is the path of the top-level list entry the delta is in, e.g.
	// "tlogs[1]"; empty for a top-level field that is not a list.
	entry string
	// field is the path inside entry, e.g. "publicKey.validFor.end".
	field string
	// old and new are the entry (for entry-level deltas and as context for
	// leaf deltas); either may be invalid.
	old, new protoreflect.Message
	// oldVal and newVal render a leaf; for entry deltas they are empty.
	oldVal, newVal string
	// fd is the leaf's field, nil for entry deltas.
	fd protoreflect.FieldDescriptor
	// oldLeaf and newLeaf are the leaf values; invalid when unset.
	oldLeaf, newLeaf protoreflect.Value
}

func (d delta) path() string {
	switch {
	case d.entry == "":
		return d.field
	case d.field == "":
		return d.entry
	}
	return d.entry + "." + d.field
}

// keyFunc identifies an entry of a top-level list across releases.
type keyFunc func(protoreflect.Message) string

// entryKeys says how each top-level list's entries are matched. Lists not
// named here are matched by position, which is safe for a list a future
// protobuf-specs adds: every difference still shows, only less tidily.
var entryKeys = map[protoreflect.FullName]keyFunc{
	"dev.sigstore.trustroot.v1.TrustedRoot.tlogs":                   logKey,
	"dev.sigstore.trustroot.v1.TrustedRoot.ctlogs":                  logKey,
	"dev.sigstore.trustroot.v1.TrustedRoot.certificate_authorities": chainKey,
	"dev.sigstore.trustroot.v1.TrustedRoot.timestamp_authorities":   chainKey,
	"dev.sigstore.trustroot.v1.SigningConfig.ca_urls":               serviceKey,
	"dev.sigstore.trustroot.v1.SigningConfig.oidc_urls":             serviceKey,
	"dev.sigstore.trustroot.v1.SigningConfig.rekor_tlog_urls":       serviceKey,
	"dev.sigstore.trustroot.v1.SigningConfig.tsa_urls":              serviceKey,
}

// logKey is the log ID: it is derived from the key, so a new key is a new
// log even at the same URL.
func logKey(m protoreflect.Message) string {
	id := get(m, "log_id", "key_id").Bytes()
	if len(id) == 0 {
		return "url " + str(m, "base_url")
	}
	return "id " + base64.StdEncoding.EncodeToString(id)
}

// chainKey is the chain's first certificate (the leaf or issuing CA) and
// last (the trust anchor): a changed intermediate is a change to the same
// authority; a new anchor or issuer is a new authority.
func chainKey(m protoreflect.Message) string {
	certs := get(m, "cert_chain", "certificates").List()
	if certs.Len() == 0 {
		return "uri " + str(m, "uri") + " " + str(m, "subject", "common_name")
	}
	sum := func(i int) string {
		s := sha256.Sum256(get(certs.Get(i).Message(), "raw_bytes").Bytes())
		return hex.EncodeToString(s[:])
	}
	return "chain " + sum(0) + " " + sum(certs.Len()-1)
}

// serviceKey is URL and major API version: clients pick by both, and the
// same URL at a new API version is a new service.
func serviceKey(m protoreflect.Message) string {
	return fmt.Sprintf("%s v%d", str(m, "url"), num(m, "major_api_version"))
}

// get follows field names from m; it returns the default value where a
// field is unset or not a message.
func get(m protoreflect.Message, names ...string) protoreflect.Value {
	for i, n := range names {
		fd := m.Descriptor().Fields().ByName(protoreflect.Name(n))
		if fd == nil {
			return protoreflect.Value{}
		}
		v := m.Get(fd)
		if i == len(names)-1 {
			return v
		}
		if fd.Message() == nil || fd.IsList() || fd.IsMap() {
			return protoreflect.Value{}
		}
		m = v.Message()
	}
	return protoreflect.ValueOfMessage(m)
}

// str and num read a string or unsigned field through get, with "" and 0
// where the path does not exist.
func str(m protoreflect.Message, names ...string) string {
	v := get(m, names...)
	if !v.IsValid() {
		return ""
	}
	s, _ := v.Interface().(string)
	return s
}

func num(m protoreflect.Message, names ...string) uint64 {
	v := get(m, names...)
	if !v.IsValid() {
		return 0
	}
	switch x := v.Interface().(type) {
	case uint32:
		return uint64(x)
	case uint64:
		return x
	}
	return 0
}

// diffRoot compares two top-level messages of one type. A file that is
// added or removed is an invalid message (a typed nil's ProtoReflect):
// reads return defaults, so one walk serves every case.
func diffRoot(a, b protoreflect.Message) []delta {
	var out []delta
	fields := a.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if fd.IsList() && fd.Message() != nil {
			out = append(out, diffEntries(fd, listOf(a, fd), listOf(b, fd))...)
			continue
		}
		w := walker{section: fd.JSONName()}
		w.field(fd.JSONName(), fd, a, b)
		out = append(out, w.out...)
	}
	return out
}

func listOf(m protoreflect.Message, fd protoreflect.FieldDescriptor) []protoreflect.Message {
	l := m.Get(fd).List()
	out := make([]protoreflect.Message, l.Len())
	for i := range l.Len() {
		out[i] = l.Get(i).Message()
	}
	return out
}

// diffEntries matches a top-level list's entries by key, then walks each
// matched pair. Two entries with one key are told apart by their order.
func diffEntries(fd protoreflect.FieldDescriptor, a, b []protoreflect.Message) []delta {
	section := fd.JSONName()
	key, ok := entryKeys[fd.FullName()]
	keys := func(l []protoreflect.Message) []string {
		out := make([]string, len(l))
		seen := map[string]int{}
		for i, m := range l {
			k := fmt.Sprintf("#%d", i)
			if ok {
				k = key(m)
			}
			seen[k]++
			if n := seen[k]; n > 1 {
				k = fmt.Sprintf("%s #%d", k, n)
			}
			out[i] = k
		}
		return out
	}
	ka, kb := keys(a), keys(b)
	// Keys are unique within a side; index them so that matching n
	// entries costs n lookups, not n² comparisons.
	ia, ib := indexOf(ka), indexOf(kb)
	var out []delta
	var matchedOld, matchedNew []string
	for j, k := range kb {
		entry := fmt.Sprintf("%s[%d]", section, j)
		i, ok := ia[k]
		if !ok {
			out = append(out, delta{op: Added, section: section, entry: entry, new: b[j]})
			continue
		}
		matchedNew = append(matchedNew, k)
		w := walker{section: section, entry: entry, old: a[i], new: b[j]}
		w.message("", a[i], b[j])
		out = append(out, w.out...)
	}
	for i, k := range ka {
		if _, ok := ib[k]; ok {
			matchedOld = append(matchedOld, k)
			continue
		}
		out = append(out, delta{op: Removed, section: section, entry: fmt.Sprintf("%s[%d]", section, i), old: a[i]})
	}
	if !slices.Equal(matchedOld, matchedNew) {
		out = append(out, delta{op: Reordered, section: section, field: section,
			oldVal: orderOf(a, ka, ib), newVal: orderOf(b, kb, ia)})
	}
	return out
}

func indexOf(keys []string) map[string]int {
	m := make(map[string]int, len(keys))
	for i, k := range keys {
		m[k] = i
	}
	return m
}

// orderOf lists the subjects of l's entries that the other side also
// has, in l's order.
func orderOf(l []protoreflect.Message, keys []string, other map[string]int) string {
	var names []string
	for i, m := range l {
		if _, ok := other[keys[i]]; ok {
			names = append(names, subjectOf(m))
		}
	}
	return strings.Join(names, ", ")
}

// walker collects leaf deltas below one top-level entry or field.
type walker struct {
	section, entry string
	old, new       protoreflect.Message
	out            []delta
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func (w *walker) leaf(path string, fd protoreflect.FieldDescriptor, a, b protoreflect.Value) {
	w.out = append(w.out, delta{op: Changed, section: w.section, entry: w.entry, field: path, old: w.old, new: w.new,
		fd: fd, oldLeaf: a, newLeaf: b, oldVal: renderValue(fd, a), newVal: renderValue(fd, b)})
}

func (w *walker) message(path string, a, b protoreflect.Message) {
	desc := a.Descriptor()
	if !a.IsValid() {
		desc = b.Descriptor()
	}
	fields := desc.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		w.field(join(path, fd.JSONName()), fd, a, b)
	}
}

// has reports presence the way the JSON shows it: proto3 scalars without
// presence are "set" when not zero.
func has(m protoreflect.Message, fd protoreflect.FieldDescriptor) bool {
	return m.IsValid() && m.Has(fd)
}

func (w *walker) field(path string, fd protoreflect.FieldDescriptor, a, b protoreflect.Message) {
	ha, hb := a.Has(fd), b.Has(fd)
	if !ha && !hb {
		return
	}
	va, vb := a.Get(fd), b.Get(fd)
	switch {
	case fd.IsList():
		w.list(path, fd, va.List(), vb.List())
	case fd.IsMap():
		// No trust message has a map today; compare it whole so a future
		// one is still reported.
		if !va.Equal(vb) {
			w.leaf(path, fd, presentOrInvalid(ha, va), presentOrInvalid(hb, vb))
		}
	case fd.Message() != nil && !isLeafMessage(fd.Message()):
		if ha != hb && isEmpty(va.Message()) && isEmpty(vb.Message()) {
			// {} against absent: clients read them alike, but say so
			// rather than call the bytes formatting.
			w.leaf(path, fd, presentOrInvalid(ha, va), presentOrInvalid(hb, vb))
			return
		}
		w.message(path, va.Message(), vb.Message())
	default:
		if ha != hb || !valueEqual(fd, va, vb) {
			w.leaf(path, fd, presentOrInvalid(ha, va), presentOrInvalid(hb, vb))
		}
	}
}

// presentOrInvalid hides the default a Get returns for an unset field, so
// rendering says "unset" rather than a zero value.
func presentOrInvalid(present bool, v protoreflect.Value) protoreflect.Value {
	if !present {
		return protoreflect.Value{}
	}
	return v
}

func isEmpty(m protoreflect.Message) bool {
	empty := true
	m.Range(func(protoreflect.FieldDescriptor, protoreflect.Value) bool { empty = false; return false })
	return empty
}

// list compares a nested list position by position: within an entry,
// order is meaning (a chain runs leaf to root).
func (w *walker) list(path string, fd protoreflect.FieldDescriptor, la, lb protoreflect.List) {
	for i := range max(la.Len(), lb.Len()) {
		p := fmt.Sprintf("%s[%d]", path, i)
		inA, inB := i < la.Len(), i < lb.Len()
		var ea, eb protoreflect.Value
		if inA {
			ea = la.Get(i)
		}
		if inB {
			eb = lb.Get(i)
		}
		if fd.Message() == nil || isLeafMessage(fd.Message()) || isCertificate(fd.Message()) || inA != inB {
			if inA != inB || !valueEqual(fd, ea, eb) {
				w.leaf(p, fd, ea, eb)
			}
			continue
		}
		w.message(p, ea.Message(), eb.Message())
	}
}

// isLeafMessage names messages shown as one value.
func isLeafMessage(md protoreflect.MessageDescriptor) bool {
	return md.FullName() == "google.protobuf.Timestamp"
}

// isCertificate: a chain's certificate is shown whole (its subject and
// fingerprint), not as a raw_bytes field.
func isCertificate(md protoreflect.MessageDescriptor) bool {
	return md.FullName() == "dev.sigstore.common.v1.X509Certificate"
}

func valueEqual(fd protoreflect.FieldDescriptor, a, b protoreflect.Value) bool {
	if fd.Message() != nil {
		return proto.Equal(a.Message().Interface(), b.Message().Interface())
	}
	return a.Equal(b)
}
