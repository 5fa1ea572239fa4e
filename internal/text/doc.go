// Package text holds the few ways trustc writes and reads times, windows,
// durations, counts and lists in messages and flags, so that every report
// spells an instant the same way, words "just after an inclusive end" by
// one rule, and every flag accepts the same forms.
package text
