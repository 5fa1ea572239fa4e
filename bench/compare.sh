#!/usr/bin/env bash
# compare.sh: time `trustc generate` against `cue export` of the same
# environment packages, as whole processes, and report medians, the ratio of
# medians and peak RSS. Issue 7 asks trustc to stay within 1.5x of cue export
# and under 150 MiB. Not part of `make test`: it measures, it does not assert.
#
# Usage: bench/compare.sh [runs]     (default 20; RUNS=n works too)
#
# By default every run generates into the same -out directory, as 'make
# generate' does into golden/: from the second run on, trustc reads and
# derives the release it replaces (the base for the rules across releases)
# and removes it after the swap. FRESH=1 gives each run a new -out
# directory instead: the first generate, with no base and nothing to remove.
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
# other builds churned took at times twenty times as long.)
out_parent=${OUT_PARENT:-bench/out}
mkdir -p "$out_parent"
tmp=$(mktemp -d "$out_parent/compare.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/trustc" ./cmd/trustc
go build -o "$tmp/cue" cuelang.org/go/cmd/cue

fresh=${FRESH:-}
trustc_cmd=("$tmp/trustc" generate -out "$tmp/out")
cue_cmd=("$tmp/cue" export "${envs[@]}")

# trustc_run runs trustc for run number $1, into a new -out with FRESH=1.
trustc_run() {
	if [[ -n $fresh ]]; then
		run "$tmp/trustc" generate -out "$tmp/out.$1"
		rm -rf "$tmp/out.$1"
	else
		run "${trustc_cmd[@]}"
	fi
}

# run runs a command with its output discarded and prints its wall time in
# microseconds and its CPU time (user + system) in milliseconds; a failing
# command stops the script. CPU time says what the run cost apart from
# waiting, which on a busy machine moves the wall time of both commands.
TIMEFORMAT='%3U %3S'
run() {
	local start end
	start=$EPOCHREALTIME
	{ time "$@" >/dev/null 2>"$tmp/stderr"; } 2>"$tmp/cpu" || {
		echo "compare.sh: $* failed:" >&2
		cat "$tmp/stderr" >&2
		exit 1
	}
	end=$EPOCHREALTIME
	echo "$((${end/./} - ${start/./})) $(awk '{print ($1 + $2) * 1000}' "$tmp/cpu")"
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
for w in 1 2; do
	trustc_run "w$w" >/dev/null
	run "${cue_cmd[@]}" >/dev/null
done

load_before=$(cut -d' ' -f1 /proc/loadavg)
: >"$tmp/trustc.runs"
: >"$tmp/cue.runs"
for ((i = 0; i < runs; i++)); do
	trustc_run "$i" >>"$tmp/trustc.runs"
	run "${cue_cmd[@]}" >>"$tmp/cue.runs"
done
load_after=$(cut -d' ' -f1 /proc/loadavg)

t_wall=$(cut -d' ' -f1 "$tmp/trustc.runs" | median)
c_wall=$(cut -d' ' -f1 "$tmp/cue.runs" | median)
t_cpu=$(cut -d' ' -f2 "$tmp/trustc.runs" | median)
c_cpu=$(cut -d' ' -f2 "$tmp/cue.runs" | median)
t_rss=$(peak_rss_kib "${trustc_cmd[@]}")
c_rss=$(peak_rss_kib "${cue_cmd[@]}")

echo "environments: ${envs[*]}   runs: $runs each, alternating"
echo "GOMAXPROCS: ${GOMAXPROCS:-unset} ($(nproc) CPUs)   1-min load average: $load_before before, $load_after after"
if [[ -n $fresh ]]; then
	echo "-out: a new directory per run, in $tmp (FRESH=1)"
else
	echo "-out: $tmp/out, the same every run (its release is the base)"
fi
awk -v tw="$t_wall" -v cw="$c_wall" -v tc="$t_cpu" -v cc="$c_cpu" -v tr="$t_rss" -v cr="$c_rss" 'BEGIN {
	printf "%-28s %12s %12s %12s\n", "command", "median wall", "median CPU", "peak RSS"
	printf "%-28s %9.1f ms %9.1f ms %8.1f MiB\n", "trustc generate -out <tmp>", tw / 1000, tc, tr / 1024
	printf "%-28s %9.1f ms %9.1f ms %8.1f MiB\n", "cue export <both packages>", cw / 1000, cc, cr / 1024
	printf "ratio of wall medians (trustc / cue): %.2fx   (bar: <= 1.5x)\n", tw / cw
	printf "ratio of CPU medians (trustc / cue):  %.2fx\n", tc / cc
	printf "trustc peak RSS: %.1f MiB   (bar: < 150 MiB)\n", tr / 1024
}'
