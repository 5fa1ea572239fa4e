// Package text holds the few ways trustc writes and reads times and lists
// in messages and flags, so that every report spells an instant the same
// way and every flag accepts the same forms.
package text
