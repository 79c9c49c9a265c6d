package ratelimiting

import (
	"strconv"
	"time"
)

// Periods, shortest first (Kong's ORDERED_PERIODS).
const (
	pSecond = iota
	pMinute
	pHour
	pDay
	pMonth
	pYear
	numPeriods
)

var periodNames = [numPeriods]string{"second", "minute", "hour", "day", "month", "year"}

// expiration is kong/plugins/rate-limiting/expiration.lua: the lifetime in
// seconds of a period's counter, counted from its first increment. Months
// are 30 days and years 365, whatever the calendar says, as in Kong.
var expiration = [numPeriods]int64{1, 60, 3600, 86400, 2592000, 31536000}

var (
	limitHeaders = [numPeriods]string{
		"X-RateLimit-Limit-Second", "X-RateLimit-Limit-Minute", "X-RateLimit-Limit-Hour",
		"X-RateLimit-Limit-Day", "X-RateLimit-Limit-Month", "X-RateLimit-Limit-Year",
	}
	remainingHeaders = [numPeriods]string{
		"X-RateLimit-Remaining-Second", "X-RateLimit-Remaining-Minute", "X-RateLimit-Remaining-Hour",
		"X-RateLimit-Remaining-Day", "X-RateLimit-Remaining-Month", "X-RateLimit-Remaining-Year",
	}
)

const (
	headerLimit      = "RateLimit-Limit"
	headerRemaining  = "RateLimit-Remaining"
	headerReset      = "RateLimit-Reset"
	headerRetryAfter = "Retry-After"
)

// windowStarts is kong.tools.timestamp.get_timestamps in seconds: the
// start of the current second, minute, hour, day, calendar month and
// calendar year, in UTC. Only the periods in mask are computed.
func windowStarts(now int64, mask uint8) (starts [numPeriods]int64) {
	starts[pSecond] = now
	starts[pMinute] = now - mod(now, 60)
	starts[pHour] = now - mod(now, 3600)
	starts[pDay] = now - mod(now, 86400)
	if mask&(1<<pMonth|1<<pYear) != 0 {
		y, m, _ := time.Unix(now, 0).UTC().Date()
		starts[pMonth] = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Unix()
		starts[pYear] = time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC).Unix()
	}
	return starts
}

func mod(a, b int64) int64 {
	r := a % b
	if r < 0 {
		r += b
	}
	return r
}

// smallInts caches the text of small numbers, so remaining-count headers
// cost no allocation.
var smallInts = func() (out [4096]string) {
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}()

func itoa(n int64) string {
	if n >= 0 && n < int64(len(smallInts)) {
		return smallInts[n]
	}
	return strconv.FormatInt(n, 10)
}

// formatNumber renders a number as Lua's tostring does (LuaJIT's %.14g).
func formatNumber(f float64) string {
	if f == float64(int64(f)) && f > -1e14 && f < 1e14 {
		return itoa(int64(f))
	}
	return strconv.FormatFloat(f, 'g', 14, 64)
}
