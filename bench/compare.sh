#!/usr/bin/env bash
# compare.sh: time `trustc generate` against `cue export` of the same
# environment packages, as whole processes, and report medians, the ratio of
# medians and peak RSS. Issue 7 asks trustc to stay within 1.5x of cue export
# and under 150 MiB. Not part of `make test`: it measures, it does not assert.
#
# Usage: bench/compare.sh [runs]     (default 20; RUNS=n works too)
#
# Both binaries are built here from this module: trustc from ./cmd/trustc and
# cue at the version go.mod pins as a tool, so the comparison is with the
# evaluator trustc itself links. hyperfine is not assumed; bash's
# EPOCHREALTIME times each run without forking a clock process, and runs of
# the two commands alternate so that drift in machine load hits both alike.
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${1:-${RUNS:-20}}
envs=(./environments/production ./environments/staging)

# The temporary -out directory lies in the repository (bench/out/ is
# git-ignored), where 'make generate' writes golden/, so that creating and
# syncing files costs what it costs there. OUT_PARENT moves it. (On the
# machine the README's figures come from, creating a file in a /tmp that
# other builds churn took about twenty times as long.)
out_parent=${OUT_PARENT:-bench/out}
mkdir -p "$out_parent"
tmp=$(mktemp -d "$out_parent/compare.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/trustc" ./cmd/trustc
go build -o "$tmp/cue" cuelang.org/go/cmd/cue

trustc_cmd=("$tmp/trustc" generate -out "$tmp/out")
cue_cmd=("$tmp/cue" export "${envs[@]}")

# usec runs a command with its output discarded and prints its wall time in
# microseconds; a failing command stops the script.
usec() {
	local start end
	start=$EPOCHREALTIME
	"$@" >/dev/null 2>"$tmp/stderr" || {
		echo "compare.sh: $* failed:" >&2
		cat "$tmp/stderr" >&2
		exit 1
	}
	end=$EPOCHREALTIME
	echo $(((${end/./} - ${start/./})))
}

# median of the numbers on stdin.
median() {
	sort -n | awk '{v[NR] = $1} END {
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2
	}'
}

# peak_rss_kib prints the command's peak resident set size in KiB: from GNU
# time where installed, else by polling VmHWM in /proc while it runs (which
# can miss a peak in the last few milliseconds).
peak_rss_kib() {
	if /usr/bin/time -f %M true >/dev/null 2>&1; then
		/usr/bin/time -o "$tmp/rss" -f %M "$@" >/dev/null 2>&1
		cat "$tmp/rss"
		return
	fi
	"$@" >/dev/null 2>&1 &
	local pid=$! peak=0 hwm
	while kill -0 "$pid" 2>/dev/null; do
		hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
		if [[ -n $hwm && $hwm -gt $peak ]]; then peak=$hwm; fi
	done
	wait "$pid"
	echo "$peak"
}

# Warm the page cache and the CUE module cache before timing.
for _ in 1 2; do
	usec "${trustc_cmd[@]}" >/dev/null
	usec "${cue_cmd[@]}" >/dev/null
done

: >"$tmp/trustc.us"
: >"$tmp/cue.us"
for ((i = 0; i < runs; i++)); do
	usec "${trustc_cmd[@]}" >>"$tmp/trustc.us"
	usec "${cue_cmd[@]}" >>"$tmp/cue.us"
done

t_med=$(median <"$tmp/trustc.us")
c_med=$(median <"$tmp/cue.us")
t_rss=$(peak_rss_kib "${trustc_cmd[@]}")
c_rss=$(peak_rss_kib "${cue_cmd[@]}")

echo "environments: ${envs[*]}   runs: $runs each, alternating"
echo "GOMAXPROCS: ${GOMAXPROCS:-unset} ($(nproc) CPUs)   load average: $(cut -d' ' -f1-3 /proc/loadavg)   -out in: $tmp"
awk -v t="$t_med" -v c="$c_med" -v tr="$t_rss" -v cr="$c_rss" 'BEGIN {
	printf "%-32s %12s %14s\n", "command", "median", "peak RSS"
	printf "%-32s %9.1f ms %10.1f MiB\n", "trustc generate -out <tmp>", t / 1000, tr / 1024
	printf "%-32s %9.1f ms %10.1f MiB\n", "cue export <both packages>", c / 1000, cr / 1024
	printf "ratio of medians (trustc / cue): %.2fx   (bar: <= 1.5x)\n", t / c
	printf "trustc peak RSS: %.1f MiB   (bar: < 150 MiB)\n", tr / 1024
}'
