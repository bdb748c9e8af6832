package iso8583msg

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// TransmissionTime returns DE7 for t: MMDDhhmmss in UTC.
func TransmissionTime(t time.Time) string { return t.UTC().Format("0102150405") }

// LocalTime returns DE12 (hhmmss) and DE13 (MMDD) for t, in UTC: the
// network's terminals are virtual and keep UTC.
func LocalTime(t time.Time) (hhmmss, mmdd string) {
	t = t.UTC()
	return t.Format("150405"), t.Format("0102")
}

// ParseTransmissionTime returns the instant of a DE7 value. DE7 has no year:
// the year is the one that puts the instant nearest to now. Fails when s is
// not a valid MMDDhhmmss.
func ParseTransmissionTime(s string, now time.Time) (time.Time, error) {
	if !digits(s, 10, 10) {
		return time.Time{}, errors.New("iso8583: malformed transmission time")
	}
	now = now.UTC()
	var best time.Time
	for _, y := range []int{now.Year() - 1, now.Year(), now.Year() + 1} {
		t, err := time.Parse("20060102150405", fmt.Sprintf("%04d%s", y, s))
		if err != nil {
			continue
		}
		if best.IsZero() || absDuration(t.Sub(now)) < absDuration(best.Sub(now)) {
			best = t
		}
	}
	if best.IsZero() {
		return time.Time{}, errors.New("iso8583: malformed transmission time")
	}
	return best, nil
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// Expiry returns DE14 for a card expiring in month/year: YYMM.
func Expiry(month, year int) string { return fmt.Sprintf("%02d%02d", year%100, month) }

// ParseExpiry returns the month and the four-digit year (20YY) of a DE14
// value. Fails unless s is YYMM with a month from 01 to 12.
func ParseExpiry(s string) (month, year int, err error) {
	if !digits(s, 4, 4) {
		return 0, 0, errors.New("iso8583: malformed expiry")
	}
	yy, _ := strconv.Atoi(s[:2])
	mm, _ := strconv.Atoi(s[2:])
	if mm < 1 || mm > 12 {
		return 0, 0, errors.New("iso8583: malformed expiry")
	}
	return mm, 2000 + yy, nil
}

// RRN returns a retrieval reference number (DE37) in the common form: the
// last digit of the year, the day of the year (3 digits), the hour (2 digits)
// and the STAN (6 digits), all in UTC.
func RRN(t time.Time, stan string) string {
	t = t.UTC()
	for len(stan) < 6 {
		stan = "0" + stan
	}
	return fmt.Sprintf("%d%03d%02d%s", t.Year()%10, t.YearDay(), t.Hour(), stan)
}
