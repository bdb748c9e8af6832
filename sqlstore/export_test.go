package sqlstore

// SetWALLimit sets the size past which the SQLite log is restarted, and
// returns a func that puts the old one back.
func SetWALLimit(n int64) func() {
	old := walLimit
	walLimit = n
	return func() { walLimit = old }
}
