package httppath

// slash stands in for an empty request path; a package-level value so that
// using it never allocates.
var slash = []byte{'/'}

// UpstreamPath appends to dst the path gatewayd sends upstream, following
// Kong's strip_path / path_handling rules (kong/router/utils.lua
// get_upstream_uri_v0 and the v1 branch of kong/router/traditional.lua):
//
//   - servicePath is the service's path; "" means null and is treated as "/";
//   - routePath is the route path that matched, "" when the route matched
//     without paths (for instance by host only);
//   - strip is the route's strip_path;
//   - pathHandling is the route's path_handling: "v1" selects the v1 rules,
//     anything else the default v0 (the only behaviour of Kong's ATC router
//     flavors);
//   - reqPath is the normalized request path (see Normalize);
//   - matchedLen is how many leading bytes of reqPath the route path matched:
//     len(routePath) for plain paths, the end of the regex match for regex
//     paths, so regex routes strip the whole match.
//
// v0 joins the service path and the remainder with exactly one '/', v1
// concatenates them. The query string is not part of reqPath; the caller
// appends it unchanged. It does not allocate when dst has enough capacity
// (len(servicePath)+len(reqPath)+1 bytes always suffice).
func UpstreamPath(dst []byte, servicePath string, routePath string, strip bool, pathHandling string, reqPath []byte, matchedLen int) []byte {
	base := servicePath
	if base == "" {
		base = "/"
	}
	if len(reqPath) == 0 {
		reqPath = slash
	}
	postfix := requestPostfix(routePath, reqPath, matchedLen)
	if pathHandling == "v1" {
		return appendV1(dst, base, strip, postfix, reqPath)
	}
	return appendV0(dst, base, strip, postfix, reqPath)
}

// requestPostfix is the part of the request path that follows the matched
// route path. Without a path match, Kong uses the request path minus its
// leading '/'.
func requestPostfix(routePath string, reqPath []byte, matchedLen int) []byte {
	if routePath == "" {
		return sanitizePostfix(reqPath[1:])
	}
	matchedLen = max(0, min(matchedLen, len(reqPath)))
	return sanitizePostfix(reqPath[matchedLen:])
}

// sanitizePostfix drops a leading dot segment left over when the route path
// ended inside a segment (route "/route" and request "/route./req" leave
// "./req"), mirroring Kong's sanitize_uri_postfix.
func sanitizePostfix(p []byte) []byte {
	switch {
	case string(p) == "." || string(p) == "..":
		return p[:0]
	case hasPrefix(p, "./"):
		return p[2:]
	case hasPrefix(p, "../"):
		return p[3:]
	}
	return p
}

// appendV0 mirrors get_upstream_uri_v0: the service path and the remainder
// are joined with a single '/', and a trailing '/' of the request survives
// when nothing is left after stripping.
func appendV0(dst []byte, base string, strip bool, postfix, reqPath []byte) []byte {
	baseSlash := base[len(base)-1] == '/'
	reqSlash := reqPath[len(reqPath)-1] == '/'
	switch {
	case baseSlash && strip && len(postfix) == 0:
		if base == "/" || reqSlash {
			return append(dst, base...)
		}
		return append(dst, base[:len(base)-1]...)
	case baseSlash && strip && postfix[0] == '/':
		dst = append(dst, base[:len(base)-1]...)
		return append(dst, postfix...)
	case baseSlash && strip:
		dst = append(dst, base...)
		return append(dst, postfix...)
	case baseSlash: // keep the whole request path, minus its leading '/'
		dst = append(dst, base...)
		return append(dst, reqPath[1:]...)
	case strip && len(postfix) == 0:
		dst = append(dst, base...)
		if len(reqPath) > 1 && reqSlash {
			dst = append(dst, '/')
		}
		return dst
	case strip && postfix[0] == '/':
		dst = append(dst, base...)
		return append(dst, postfix...)
	case strip:
		dst = append(dst, base...)
		dst = append(dst, '/')
		return append(dst, postfix...)
	case len(reqPath) == 1: // request "/" adds nothing to the service path
		return append(dst, base...)
	default:
		dst = append(dst, base...)
		return append(dst, reqPath...)
	}
}

// appendV1 mirrors the path_handling = "v1" branch of the traditional
// router: plain concatenation, only collapsing the "//" a trailing service
// slash and a leading postfix slash would produce.
func appendV1(dst []byte, base string, strip bool, postfix, reqPath []byte) []byte {
	if !strip {
		dst = append(dst, base...)
		return append(dst, reqPath[1:]...)
	}
	if base[len(base)-1] == '/' && len(postfix) > 0 && postfix[0] == '/' {
		base = base[:len(base)-1]
	}
	dst = append(dst, base...)
	return append(dst, postfix...)
}
