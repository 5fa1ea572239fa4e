'use strict';
// sigstore-js as a Sigstore client at one step of a rehearsal: the real
// @sigstore/tuf updates from the mirror, the real @sigstore/sign signs with
// what the chosen signing config selects now (bundleBuilderFromSigningConfig:
// Fulcio, the TSA, the Rekor log), and the real @sigstore/verify verifies
// every bundle listed, against the trusted root fetched through TUF. Node
// trusts the rehearsal's throwaway CA through NODE_EXTRA_CA_CERTS, as a
// user's would.
//
// Input (argv[2]): {"mirror", "root", "cache", "signingConfig", "token",
// "artifact", "bundle", "identity", "issuer", "verify": [{"bundle",
// "artifact"}]}. Output (stdout), as cmd/sigstore-go-client writes it:
// {"signedTo", "signError", "verified": [{"bundle", "error"}]}.
const fs = require('fs');
const { initTUF } = require('@sigstore/tuf');
const { SigningConfig, TrustedRoot } = require('@sigstore/protobuf-specs');
const { bundleBuilderFromSigningConfig } = require('@sigstore/sign');
const { bundleFromJSON, bundleToJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

async function main() {
  const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const tuf = await initTUF({
    mirrorURL: input.mirror,
    rootPath: input.root,
    cachePath: input.cache,
    forceCache: false,
    forceInit: false,
  });
  const trJSON = JSON.parse(await tuf.getTarget('trusted_root.json'));
  const trustedRoot = TrustedRoot.fromJSON(trJSON);
  const out = { signedTo: '', verified: [] };
  if (input.artifact) {
    try {
      const sc = SigningConfig.fromJSON(JSON.parse(await tuf.getTarget(input.signingConfig)));
      const token = fs.readFileSync(input.token, 'utf8').trim();
      const builder = bundleBuilderFromSigningConfig({
        signingConfig: sc,
        identityProvider: { getToken: async () => token },
        bundleType: 'messageSignature',
        fetchOptions: { timeout: 30000, retry: { retries: 1 } },
      });
      const bundle = await builder.create({ data: fs.readFileSync(input.artifact) });
      const json = bundleToJSON(bundle);
      fs.writeFileSync(input.bundle, JSON.stringify(json));
      const entries = json.verificationMaterial.tlogEntries;
      if (entries.length !== 1) {
        throw new Error(`bundle has ${entries.length} tlog entries, want 1`);
      }
      const keyId = entries[0].logId.keyId;
      const log = trJSON.tlogs.find((t) => t.logId.keyId === keyId);
      if (!log) {
        throw new Error(`bundle's log id ${keyId} is in no log of the trusted root`);
      }
      out.signedTo = log.baseUrl;
    } catch (e) {
      out.signError = String(e && e.stack ? e.message : e);
    }
  }
  // No CT log in the rehearsal: Fulcio issues certificates without SCTs.
  // Rekor v2 entries carry no integrated time, so the TSA's timestamp is
  // the one verified time.
  const verifier = new Verifier(toTrustMaterial(trustedRoot), { ctlogThreshold: 0, tlogThreshold: 1, timestampThreshold: 1 });
  for (const item of input.verify || []) {
    const r = { bundle: item.bundle };
    try {
      const b = bundleFromJSON(JSON.parse(fs.readFileSync(item.bundle, 'utf8')));
      verifier.verify(toSignedEntity(b, fs.readFileSync(item.artifact)), {
        subjectAlternativeName: input.identity,
        extensions: { issuer: input.issuer },
      });
    } catch (e) {
      r.error = String(e && e.message ? e.message : e);
    }
    out.verified.push(r);
  }
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch((e) => {
  process.stderr.write(`sigstore-js client: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
