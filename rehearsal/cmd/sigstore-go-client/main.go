// Command sigstore-go-client is sigstore-go as a Sigstore client at one
// step of a rehearsal: it updates its TUF client from the mirror, signs an
// artifact with the services the chosen signing config selects now (Fulcio
// certificate, TSA timestamp, Rekor entry, through pkg/sign), and verifies
// every bundle it is given with pkg/verify against the trusted root it
// fetched. It reads only its flags and writes one JSON object to stdout.
//
// It is a process of its own, not a function in the rehearsal test, so
// that it trusts the rehearsal's throwaway CA through SSL_CERT_FILE
// exactly as a user's sigstore-go would, and keeps its TUF cache apart.
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore-go/pkg/tuf"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"google.golang.org/protobuf/encoding/protojson"
)

// Input names the bundles to verify and what each one signs.
type Input struct {
	Verify []Item `json:"verify"`
}

// Item is one bundle and its artifact.
type Item struct {
	Bundle   string `json:"bundle"`
	Artifact string `json:"artifact"`
}

// Output is what the client did.
type Output struct {
	// SignedTo is the base URL of the Rekor log the new bundle's entry is
	// in, found by its log id in the trusted root; empty if signing failed.
	SignedTo  string    `json:"signedTo"`
	SignError string    `json:"signError,omitempty"`
	Verified  []Outcome `json:"verified"`
}

// Outcome is one bundle's verification.
type Outcome struct {
	Bundle string `json:"bundle"`
	Error  string `json:"error,omitempty"`
}

func main() {
	mirror := flag.String("mirror", "", "TUF repository URL")
	rootFile := flag.String("root", "", "initial root.json")
	cache := flag.String("cache", "", "TUF cache directory")
	configName := flag.String("signing-config", "signing_config.v0.2.json", "signing config target to sign with")
	tokenFile := flag.String("token", "", "file holding the OIDC identity token")
	artifact := flag.String("artifact", "", "file to sign")
	out := flag.String("bundle", "", "where to write the new bundle")
	input := flag.String("input", "", "JSON file listing the bundles to verify")
	identity := flag.String("identity", "", "certificate identity (SAN) every bundle must carry")
	issuer := flag.String("issuer", "", "OIDC issuer every bundle's certificate must name")
	flag.Parse()
	o, err := run(*mirror, *rootFile, *cache, *configName, *tokenFile, *artifact, *out, *input, *identity, *issuer)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sigstore-go-client: %v\n", err)
		os.Exit(1)
	}
	b, _ := json.MarshalIndent(o, "", "  ")
	os.Stdout.Write(append(b, '\n'))
}

func run(mirror, rootFile, cache, configName, tokenFile, artifactFile, out, inputFile, identity, issuer string) (*Output, error) {
	rootJSON, err := os.ReadFile(rootFile)
	if err != nil {
		return nil, err
	}
	opts := tuf.DefaultOptions().WithRoot(rootJSON).WithRepositoryBaseURL(mirror).WithCachePath(cache).WithCacheValidity(0)
	client, err := tuf.New(opts)
	if err != nil {
		return nil, fmt.Errorf("tuf: %w", err)
	}
	trJSON, err := client.GetTarget("trusted_root.json")
	if err != nil {
		return nil, fmt.Errorf("tuf: get trusted_root.json: %w", err)
	}
	tr, err := root.NewTrustedRootFromJSON(trJSON)
	if err != nil {
		return nil, err
	}
	o := &Output{}
	if artifactFile != "" {
		url, err := signArtifact(client, tr, configName, tokenFile, artifactFile, out)
		if err != nil {
			o.SignError = err.Error()
		}
		o.SignedTo = url
	}
	var in Input
	if inputFile != "" {
		b, err := os.ReadFile(inputFile)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &in); err != nil {
			return nil, fmt.Errorf("parse %s: %w", inputFile, err)
		}
	}
	v, err := verify.NewVerifier(tr, verify.WithTransparencyLog(1), verify.WithSignedTimestamps(1))
	if err != nil {
		return nil, err
	}
	id, err := verify.NewShortCertificateIdentity(issuer, "", identity, "")
	if err != nil {
		return nil, err
	}
	for _, it := range in.Verify {
		oc := Outcome{Bundle: it.Bundle}
		if err := verifyOne(v, id, it); err != nil {
			oc.Error = err.Error()
		}
		o.Verified = append(o.Verified, oc)
	}
	return o, nil
}

func signArtifact(client *tuf.Client, tr *root.TrustedRoot, configName, tokenFile, artifactFile, out string) (string, error) {
	scJSON, err := client.GetTarget(configName)
	if err != nil {
		return "", fmt.Errorf("tuf: get %s: %w", configName, err)
	}
	sc, err := root.NewSigningConfigFromJSON(scJSON)
	if err != nil {
		return "", err
	}
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(artifactFile)
	if err != nil {
		return "", err
	}
	now := time.Now()
	keypair, err := sign.NewEphemeralKeypair(nil)
	if err != nil {
		return "", err
	}
	opts := sign.BundleOptions{TrustedRoot: tr}
	ca, err := root.SelectService(sc.FulcioCertificateAuthorityURLs(), sign.FulcioAPIVersions, now)
	if err != nil {
		return "", fmt.Errorf("select CA: %w", err)
	}
	opts.CertificateProvider = sign.NewFulcio(&sign.FulcioOptions{BaseURL: ca.URL, Timeout: 30 * time.Second, Retries: 1})
	opts.CertificateProviderOptions = &sign.CertificateProviderOptions{IDToken: string(bytes.TrimSpace(token))}
	tsas, err := root.SelectServices(sc.TimestampAuthorityURLs(), sc.TimestampAuthorityURLsConfig(), sign.TimestampAuthorityAPIVersions, now)
	if err != nil {
		return "", fmt.Errorf("select TSA: %w", err)
	}
	for _, s := range tsas {
		opts.TimestampAuthorities = append(opts.TimestampAuthorities, sign.NewTimestampAuthority(&sign.TimestampAuthorityOptions{URL: s.URL, Timeout: 30 * time.Second, Retries: 1}))
	}
	logs, err := root.SelectServices(sc.RekorLogURLs(), sc.RekorLogURLsConfig(), sign.RekorAPIVersions, now)
	if err != nil {
		return "", fmt.Errorf("select Rekor: %w", err)
	}
	for _, s := range logs {
		opts.TransparencyLogs = append(opts.TransparencyLogs, sign.NewRekor(&sign.RekorOptions{BaseURL: s.URL, Timeout: 60 * time.Second, Retries: 1, Version: s.MajorAPIVersion}))
	}
	pb, err := sign.Bundle(&sign.PlainData{Data: data}, keypair, opts)
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	b, err := protojson.Marshal(pb)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return "", err
	}
	entries := pb.GetVerificationMaterial().GetTlogEntries()
	if len(entries) != 1 {
		return "", fmt.Errorf("bundle has %d tlog entries, want 1", len(entries))
	}
	keyID := entries[0].GetLogId().GetKeyId()
	if l, ok := tr.RekorLogs()[hex.EncodeToString(keyID)]; ok {
		return l.BaseURL, nil
	}
	return "", fmt.Errorf("bundle's log id %x is in no log of the trusted root", keyID)
}

func verifyOne(v *verify.Verifier, id verify.CertificateIdentity, it Item) error {
	b, err := bundle.LoadJSONFromPath(it.Bundle)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(it.Artifact)
	if err != nil {
		return err
	}
	_, err = v.Verify(b, verify.NewPolicy(verify.WithArtifact(bytes.NewReader(data)), verify.WithCertificateIdentity(id)))
	return err
}
