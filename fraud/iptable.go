package fraud

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
)

// prefixMap maps IP prefixes to values; the longest matching prefix wins.
type prefixMap[V any] struct {
	bits []int // distinct prefix lengths, longest first
	m    map[netip.Prefix]V
}

func (p *prefixMap[V]) add(pfx netip.Prefix, v V) {
	if p.m == nil {
		p.m = map[netip.Prefix]V{}
	}
	pfx = pfx.Masked()
	p.m[pfx] = v
	if !slices.Contains(p.bits, pfx.Bits()) {
		p.bits = append(p.bits, pfx.Bits())
		slices.Sort(p.bits)
		slices.Reverse(p.bits)
	}
}

func (p *prefixMap[V]) lookup(a netip.Addr) (V, bool) {
	var zero V
	if len(p.m) == 0 {
		return zero, false
	}
	a = a.Unmap()
	for _, b := range p.bits {
		if b > a.BitLen() {
			continue
		}
		pfx, err := a.Prefix(b)
		if err != nil {
			continue
		}
		if v, ok := p.m[pfx]; ok {
			return v, true
		}
	}
	return zero, false
}

// parsePrefix reads an IP address (as a full-length prefix) or a CIDR range.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-(p.Addr().BitLen()-p.Addr().Unmap().BitLen())).Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// IPTable maps IP ranges to countries, with no network look-ups. It is
// loaded from text (see [ParseIPTable]) and is read-only once built.
type IPTable struct {
	pm prefixMap[string]
}

// ParseIPTable reads lines of "CIDR COUNTRY" (such as "203.0.113.0/24 TH");
// blank lines and lines starting with # are skipped. The longest matching
// range wins. Errors name the line.
func ParseIPTable(r io.Reader) (*IPTable, error) {
	t := &IPTable{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 || len(f[1]) != 2 {
			return nil, fmt.Errorf("ip table line %d: want \"CIDR COUNTRY\"", n)
		}
		p, err := parsePrefix(f[0])
		if err != nil {
			return nil, fmt.Errorf("ip table line %d: %w", n, err)
		}
		t.pm.add(p, strings.ToUpper(f[1]))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("ip table: %w", err)
	}
	return t, nil
}

// Add maps a range (or one address) to a country.
func (t *IPTable) Add(cidr, country string) error {
	p, err := parsePrefix(cidr)
	if err != nil {
		return err
	}
	t.pm.add(p, strings.ToUpper(country))
	return nil
}

// Lookup returns the country of an IP address.
func (t *IPTable) Lookup(ip string) (string, bool) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "", false
	}
	return t.pm.lookup(a)
}
