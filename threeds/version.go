package threeds

// Protocol versions (messageVersion).
const (
	Version210 = "2.1.0" // accepted; sunset by EMVCo
	Version220 = "2.2.0" // the version Kessai speaks
	Version231 = "2.3.1" // recognised; not yet supported (see doc.go)
)

// SupportedVersions lists the versions the decoders accept, oldest first.
var SupportedVersions = []string{Version210, Version220}

// VersionSupported reports whether v is in [SupportedVersions].
func VersionSupported(v string) bool {
	for _, s := range SupportedVersions {
		if s == v {
			return true
		}
	}
	return false
}

// versionAtLeast reports whether version v is at least w; both are
// well-formed "X.Y.Z" strings of single digits.
func versionAtLeast(v, w string) bool { return v >= w }
