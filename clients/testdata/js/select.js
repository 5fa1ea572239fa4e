'use strict';
// Runs the real @sigstore/sign's service selection on signing configs at
// given instants, for clients/js_node_test.go to compare with the model in
// clients/js.go.
//
// The selection is bundleBuilderFromSigningConfig (dist/config.js; source
// packages/sign/src/config.ts): certAuthorityService, tlogService and
// tsaService, which it calls, are not exported. Each role is read from the
// builder it returns: the Fulcio signer's base URL, the Rekor witness's
// base URL and API version, the TSA witness's base URL. Those are private
// fields, pinned by package-lock.json.
//
// The selection reads the clock (new Date()), so Date is replaced by one
// fixed at each instant. One role is asked at a time, with the others
// taken out of the config (rekorTlogConfig and tsaConfig absent: no
// witness; caUrls: one v1 CA from the epoch), so that a role that fails
// does not hide the answer for the others.
//
// Input (argv[2]): {"configs": {"name": <signing config JSON>, ...},
// "instants": [<milliseconds since the epoch>, ...]}. Output (stdout):
// {"name": [{"ca": R, "rekor": R, "tsa": R}, ...per instant], ...} where R
// is {"url", "version"}, {"error"} or null (no service used).
const fs = require('fs');
const { SigningConfig } = require('@sigstore/protobuf-specs');
const { bundleBuilderFromSigningConfig, RekorWitness, TSAWitness } = require('@sigstore/sign');

const RealDate = Date;
let fixed = 0;
global.Date = class extends RealDate {
  constructor(...args) {
    if (args.length === 0) {
      super(fixed);
    } else {
      super(...args);
    }
  }
  static now() {
    return fixed;
  }
};

const anyCA = [{ url: 'https://ca.invalid', majorApiVersion: 1, validFor: { start: new RealDate(0) }, operator: '' }];

function ask(config, pick) {
  try {
    const b = bundleBuilderFromSigningConfig({
      signingConfig: config,
      identityProvider: { getToken: async () => '' },
      bundleType: 'messageSignature',
    });
    return pick(b);
  } catch (e) {
    return { error: e.message };
  }
}

function witness(b, type) {
  const w = b.witnesses.filter((x) => x instanceof type);
  if (w.length > 1) {
    throw new Error(`${w.length} witnesses of one kind`);
  }
  return w[0];
}

const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = {};
for (const [name, json] of Object.entries(input.configs)) {
  const sc = SigningConfig.fromJSON(json);
  out[name] = input.instants.map((ms) => {
    fixed = ms;
    return {
      ca: ask({ ...sc, rekorTlogConfig: undefined, tsaConfig: undefined }, (b) => ({
        url: b.signer.ca.fulcio.options.baseURL,
        version: 1,
      })),
      rekor: ask({ ...sc, caUrls: anyCA, tsaConfig: undefined }, (b) => {
        const w = witness(b, RekorWitness);
        return w ? { url: w.tlogV1.rekor.options.baseURL, version: w.majorApiVersion } : null;
      }),
      tsa: ask({ ...sc, caUrls: anyCA, rekorTlogConfig: undefined }, (b) => {
        const w = witness(b, TSAWitness);
        return w ? { url: w.tsa.tsa.options.baseURL, version: 1 } : null;
      }),
    };
  });
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
