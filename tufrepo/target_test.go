package tufrepo_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/tufrepo"
)

// entry is a targets metadata entry in a form cmp can diff: hashes as hex
// and custom parsed, so key order and whitespace do not matter.
type entry struct {
	Length int64
	Hashes map[string]string
	Custom any
}

func toEntry(t *testing.T, tf *metadata.TargetFiles) entry {
	t.Helper()
	e := entry{Length: tf.Length, Hashes: map[string]string{}}
	for alg, h := range tf.Hashes {
		e.Hashes[alg] = hex.EncodeToString(h)
	}
	if tf.Custom != nil {
		if err := json.Unmarshal(*tf.Custom, &e.Custom); err != nil {
			t.Fatalf("parse custom: %v", err)
		}
	}
	return e
}

// publishedTargets reads the targets of an environment's published
// targets.json with the bytes each names: top-level files first, then the
// legacy ones root-signing keeps in targets/.
func publishedTargets(t *testing.T, env string) (*metadata.Metadata[metadata.TargetsType], []tufrepo.Target) {
	t.Helper()
	md, err := metadata.Targets().FromBytes(refdata.ReadFile(t, env, "targets.json"))
	if err != nil {
		t.Fatalf("parse %s/targets.json: %v", env, err)
	}
	var targets []tufrepo.Target
	for name, tf := range md.Signed.Targets {
		data, err := os.ReadFile(refdata.Path(t, env, name))
		if os.IsNotExist(err) {
			data, err = os.ReadFile(refdata.Path(t, env, "targets", name))
		}
		if err != nil {
			t.Fatalf("read target %s of %s: %v", name, env, err)
		}
		tgt := tufrepo.Target{Name: name, Data: data}
		if tf.Custom != nil {
			tgt.Custom = *tf.Custom
		}
		targets = append(targets, tgt)
	}
	slices.SortFunc(targets, func(a, b tufrepo.Target) int { return strings.Compare(a.Name, b.Name) })
	return md, targets
}

// TestTargetFilePublished recomputes every entry of Sigstore's published
// targets.json from the file it names.
func TestTargetFilePublished(t *testing.T) {
	for _, env := range []string{"production", "staging"} {
		md, targets := publishedTargets(t, env)
		for _, tgt := range targets {
			t.Run(env+"/"+tgt.Name, func(t *testing.T) {
				got, err := tufrepo.TargetFile(tgt)
				if err != nil {
					t.Fatal(err)
				}
				want := md.Signed.Targets[tgt.Name]
				if diff := cmp.Diff(toEntry(t, want), toEntry(t, got)); diff != "" {
					t.Errorf("tufrepo.TargetFile(%s) (-published +got):\n%s", tgt.Name, diff)
				}
			})
		}
	}
}

// TestPublishedFilesAreTargets checks the other direction: every file the
// reference data holds for an environment is a target of its targets.json,
// so TestTargetFilePublished covers them all.
func TestPublishedFilesAreTargets(t *testing.T) {
	for _, env := range []string{"production", "staging"} {
		t.Run(env, func(t *testing.T) {
			md, _ := publishedTargets(t, env)
			var got []string
			for _, dir := range []string{refdata.Path(t, env), refdata.Path(t, env, "targets")} {
				des, err := os.ReadDir(dir)
				if err != nil {
					t.Fatal(err)
				}
				for _, de := range des {
					// targets.json is the metadata itself, not a target.
					if de.IsDir() || filepath.Join(dir, de.Name()) == refdata.Path(t, env, "targets.json") {
						continue
					}
					got = append(got, de.Name())
				}
			}
			var want []string
			for name := range md.Signed.Targets {
				want = append(want, name)
			}
			slices.Sort(got)
			slices.Sort(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("files (-targets.json +directory):\n%s", diff)
			}
		})
	}
}

func TestTargetFileErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   tufrepo.Target
		want string
	}{
		{"empty name", tufrepo.Target{}, `target name "": want a relative slash-separated path without . or .. elements`},
		{"absolute", tufrepo.Target{Name: "/etc/passwd"}, `target name "/etc/passwd": want a relative slash-separated path without . or .. elements`},
		{"dot dot", tufrepo.Target{Name: "a/../../b"}, `target name "a/../../b": want a relative slash-separated path without . or .. elements`},
		{"backslash", tufrepo.Target{Name: `a\b`}, `target name "a\\b": want a relative slash-separated path without . or .. elements`},
		{"custom not json", tufrepo.Target{Name: "a", Custom: json.RawMessage(`{`)}, "target a: custom: parse: unexpected end of JSON input"},
		{"custom array", tufrepo.Target{Name: "a", Custom: json.RawMessage(`[]`)}, "target a: custom: parse: json: cannot unmarshal array into Go value of type map[string]interface {}"},
		{"custom null", tufrepo.Target{Name: "a", Custom: json.RawMessage(`null`)}, "target a: custom: parse: want a JSON object, got null"},
		{"custom trailing", tufrepo.Target{Name: "a", Custom: json.RawMessage(`{}{}`)}, "target a: custom: parse: invalid character '{' after top-level value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tufrepo.TargetFile(tc.in)
			got := fmt.Sprint(err) // "<nil>" for none
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTargetFileCustomCompacted(t *testing.T) {
	tf, err := tufrepo.TargetFile(tufrepo.Target{Name: "a", Data: []byte("x"), Custom: json.RawMessage("{\n \"sigstore\": {\"usage\": \"Rekor\"}\n}")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(`{"sigstore":{"usage":"Rekor"}}`, string(*tf.Custom)); diff != "" {
		t.Errorf("custom (-want +got):\n%s", diff)
	}
}
