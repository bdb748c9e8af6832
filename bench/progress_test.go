package bench

import "testing"

func TestProgressLine(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{progressLine(3e9, 12345, 4115.04, 2, 0), "   3.0s       12345 requests     4115.0/s  2 errors"},
		{progressLine(15e8, 10, 10, 0, 5), "   1.5s          10 requests       10.0/s  0 errors  5 missed"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("progressLine = %q, want %q", tt.got, tt.want)
		}
	}
}
