package check

import (
	"testing"
	"time"

	"github.com/trustc-dev/trustc/compiler/model"
)

// TestStructure breaks well-formed's structural checks (windows in order,
// names defined, output names distinct) and shows a near miss of each.
func TestStructure(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(env *model.Environment)
		want []finding
	}{
		{
			name: "a window that ends before it starts",
			want: []finding{
				{"well-formed", "error", "rekor.log.verify.end", "rekor \"log\" verification window ends 2024-12-31T23:59:59.999999999Z, before it starts 2025-01-01T00:00:00Z; move the end after the start"},
			},
			edit: func(env *model.Environment) {
				env.Rekor[0].Verify = window(env.Rekor[0].Verify.Src, day(0), day(0).Add(-time.Nanosecond))
			},
		},
		{
			name: "a window that ends as it starts",
			edit: func(env *model.Environment) {
				env.Rekor[0].Verify = window(env.Rekor[0].Verify.Src, day(0), day(0))
			},
		},
		{
			name: "a signing window in no signing config",
			want: []finding{
				{"well-formed", "error", "oidc.issuer.sign.staging", "\"staging\" is not a signing config of this environment (signingConfigs has [main]); add it there or fix the name"},
			},
			edit: func(env *model.Environment) { signIn(&env.OIDC[0].Service, "staging", day(0)) },
		},
		{
			name: "a front naming no log",
			want: []finding{
				{"well-formed", "error", "rekorFronts.front.shards.1", "rekor front \"front\" names shard \"lgo\", which is no rekor log of this environment"},
			},
			edit: func(env *model.Environment) { addFront(env, "log", "lgo") },
		},
		{
			name: "a front naming its logs",
			edit: func(env *model.Environment) { addFront(env, "log") },
		},
		{
			name: "a signing service without a url",
			want: []finding{
				{"well-formed", "error", "oidc.issuer", "\"issuer\" is in a signing config but has no url; add its url"},
			},
			edit: func(env *model.Environment) { env.OIDC[0].URL = model.Value[string]{} },
		},
		{
			name: "a TUF target that is not there",
			want: []finding{
				{"well-formed", "error", "tufTargets.\"artifact.pub\"", "tufTargets names \"artifact.pub\", which is no file beside the environment's CUE files; copy the file there or remove the entry"},
			},
			edit: func(env *model.Environment) { addTarget(env, "artifact.pub", nil) },
		},
		{
			name: "a TUF target that is there, empty",
			edit: func(env *model.Environment) { addTarget(env, "artifact.pub", []byte{}) },
		},
		{
			name: "a file name with a directory",
			want: []finding{
				{"well-formed", "error", "signingConfigs.main.file", "file name \"../signing_config.json\" must be a plain file name"},
			},
			edit: func(env *model.Environment) { env.SigningConfigs[0].File.V = "../signing_config.json" },
		},
		{
			name: "a file name published twice",
			want: []finding{
				{"well-formed", "error", "tufTargets.\"trusted_root.json\"", "file name \"trusted_root.json\" is published twice"},
			},
			edit: func(env *model.Environment) { addTarget(env, "trusted_root.json", []byte("{}")) },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv()
			tc.edit(env)
			checkFindings(t, tc.want, Structure(env))
		})
	}
}

// addFront adds a Rekor front over the named shards to the main signing
// config.
func addFront(env *model.Environment, shards ...string) {
	f := &model.RekorFront{Service: service("rekorFronts", "front", "https://front.example.dev", 1)}
	for i, s := range shards {
		f.Shards = append(f.Shards, model.Value[string]{V: s, Src: elem(f.Src, "shards", i)})
	}
	signIn(&f.Service, "main", day(30))
	env.RekorFronts = append(env.RekorFronts, f)
}

// addTarget adds a TUF target with the bytes load found for it (nil: no
// such file).
func addTarget(env *model.Environment, name string, b []byte) {
	s := env.Src.Child("tufTargets", name)
	env.TUFTargets = append(env.TUFTargets, &model.TUFTarget{
		Material: model.Material{File: model.Value[string]{V: name, Src: s}, Bytes: b},
		Src:      s,
		Status:   str(s, "status", "Active"),
	})
}
