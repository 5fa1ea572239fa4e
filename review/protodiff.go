package review

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"

	"github.com/trustc-dev/trustc/compiler/model"
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

// logKey is the log's identity (model.LogIdentity): the same key at the
// same URL is the same log whatever id a release published for it, so a
// corrected id reads as a change of that field, not as a log removed and
// another added (staging v2 → v3, v16 → v17). A new key is a new log.
func logKey(m protoreflect.Message) string {
	raw := get(m, "public_key", "raw_bytes").Bytes()
	if len(raw) == 0 {
		return "url " + str(m, "base_url")
	}
	return "log " + model.LogIdentity(model.KeySPKI(raw), str(m, "base_url")).Key
}

// chainKey is the chain's identity as a set (model.ChainIdentity): the
// same certificates in another order are the same authority (production
// v6 → v7 put Fulcio's chain leaf first).
func chainKey(m protoreflect.Message) string {
	ders := chainDERs(m)
	if len(ders) == 0 {
		return "uri " + str(m, "uri") + " " + str(m, "subject", "common_name")
	}
	return "chain " + model.ChainIdentity(ders).Key
}

// leafKey matches what chainKey left unmatched by the chain's leaf
// (model.LeafIdentity): a chain that gained or lost an intermediate or
// its root is the same authority, changed.
func leafKey(m protoreflect.Message) string {
	certs := chainCerts(m)
	if len(certs) == 0 {
		return ""
	}
	return "leaf " + model.LeafIdentity(certs).Key
}

func chainDERs(m protoreflect.Message) [][]byte {
	v := get(m, "cert_chain", "certificates")
	if !v.IsValid() {
		return nil
	}
	l := v.List()
	out := make([][]byte, l.Len())
	for i := range l.Len() {
		out[i] = get(l.Get(i).Message(), "raw_bytes").Bytes()
	}
	return out
}

// chainCerts parses a chain; nil when a certificate does not parse.
func chainCerts(m protoreflect.Message) []*x509.Certificate {
	var out []*x509.Certificate
	for _, der := range chainDERs(m) {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil
		}
		out = append(out, c)
	}
	return out
}

// fallbackKeys match, second, entries the first keys left unmatched.
var fallbackKeys = map[protoreflect.FullName]keyFunc{
	"dev.sigstore.trustroot.v1.TrustedRoot.certificate_authorities": leafKey,
	"dev.sigstore.trustroot.v1.TrustedRoot.timestamp_authorities":   leafKey,
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
	ia := indexOf(ka)
	match := make([]int, len(b)) // the old entry of each new one, or -1
	taken := make([]bool, len(a))
	for j, k := range kb {
		match[j] = -1
		if i, ok := ia[k]; ok {
			match[j], taken[i] = i, true
		}
	}
	if fb := fallbackKeys[fd.FullName()]; fb != nil {
		byFallback := map[string]int{}
		for i := range a {
			if k := fb(a[i]); !taken[i] && k != "" {
				if _, dup := byFallback[k]; !dup {
					byFallback[k] = i
				}
			}
		}
		for j := range b {
			if match[j] >= 0 {
				continue
			}
			if i, ok := byFallback[fb(b[j])]; ok && !taken[i] {
				match[j], taken[i] = i, true
			}
		}
	}
	var out []delta
	var order []int // old indices of matched entries, in new order
	for j := range b {
		entry := fmt.Sprintf("%s[%d]", section, j)
		i := match[j]
		if i < 0 {
			out = append(out, delta{op: Added, section: section, entry: entry, new: b[j]})
			continue
		}
		order = append(order, i)
		w := walker{section: section, entry: entry, old: a[i], new: b[j]}
		w.message("", a[i], b[j])
		out = append(out, reorderedChain(w.out, a[i], b[j])...)
	}
	for i := range a {
		if !taken[i] {
			out = append(out, delta{op: Removed, section: section, entry: fmt.Sprintf("%s[%d]", section, i), old: a[i]})
		}
	}
	if !slices.IsSorted(order) {
		var oldNames, newNames []string
		for i := range a {
			if taken[i] {
				oldNames = append(oldNames, subjectOf(a[i]))
			}
		}
		for _, i := range order {
			newNames = append(newNames, subjectOf(a[i]))
		}
		out = append(out, delta{op: Reordered, section: section, field: section,
			oldVal: strings.Join(oldNames, ", "), newVal: strings.Join(newNames, ", ")})
	}
	return out
}

// reorderedChain replaces the certificate-by-certificate deltas of a chain
// that holds the same certificates in another order with one delta of its
// order: the chain was reordered, not changed.
func reorderedChain(ds []delta, a, b protoreflect.Message) []delta {
	da, db := chainDERs(a), chainDERs(b)
	if len(da) == 0 || model.ChainIdentity(da) != model.ChainIdentity(db) || slices.EqualFunc(da, db, bytes.Equal) {
		return ds
	}
	var out []delta
	var fd protoreflect.FieldDescriptor
	for _, d := range ds {
		if strings.HasPrefix(d.field, "certChain.certificates[") {
			fd = d.fd
			continue
		}
		out = append(out, d)
	}
	return append(out, delta{op: Changed, section: ds[0].section, entry: ds[0].entry, field: "certChain", old: a, new: b,
		fd: fd, oldVal: chainOrder(a), newVal: chainOrder(b)})
}

// chainOrder words a chain's order as protobuf-specs judges it.
func chainOrder(m protoreflect.Message) string {
	certs := chainCerts(m)
	rev := slices.Clone(certs)
	slices.Reverse(rev)
	switch {
	case certs == nil:
		return "order unknown"
	case model.LeafFirst(certs):
		return "leaf first"
	case model.LeafFirst(rev):
		return "root first"
	}
	return "out of order"
}

func indexOf(keys []string) map[string]int {
	m := make(map[string]int, len(keys))
	for i, k := range keys {
		m[k] = i
	}
	return m
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
				// One element of the list: rendered as a scalar, since
				// renderValue would read it as the whole list.
				w.out = append(w.out, delta{op: Changed, section: w.section, entry: w.entry, field: p, old: w.old, new: w.new,
					fd: fd, oldLeaf: ea, newLeaf: eb, oldVal: renderScalar(fd, ea), newVal: renderScalar(fd, eb)})
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
