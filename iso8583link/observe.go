package iso8583link

import "errors"

// observe starts the Config.Observe report of a request with the given
// MTI and returns the function that ends it with the round trip's error.
func (l *Link) observe(mti string) func(err error) {
	if l.cfg.Observe == nil {
		return func(error) {}
	}
	done := l.cfg.Observe(mti)
	return func(err error) {
		switch {
		case err == nil:
			done("answered")
		case errors.Is(err, errNotSent):
			done("not_sent")
		default:
			done("lost")
		}
	}
}
