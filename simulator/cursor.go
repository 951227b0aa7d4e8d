package simulator

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// Zendesk's export cursor is opaque, but in practice it is the base64 of
// "<generated_timestamp>.0||<ticket id>|" (e.g. MTY5NTA1MjY2My4wfHwyOHw=
// is "1695052663.0||28|"); the simulator's cursors have the same form, so
// a collector that wrongly parses them fails here as it would in production.

func encodeCursor(p position) string {
	return base64.StdEncoding.EncodeToString([]byte(strconv.FormatInt(p.at, 10) + ".0||" + strconv.FormatInt(p.ticket+1, 10) + "|"))
}

var errBadCursor = errors.New("invalid cursor")

func decodeCursor(s string) (position, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return position{}, errBadCursor
	}
	ts, rest, ok := strings.Cut(string(raw), "||")
	if !ok || !strings.HasSuffix(rest, "|") {
		return position{}, errBadCursor
	}
	ts = strings.TrimSuffix(ts, ".0")
	at, err1 := strconv.ParseInt(ts, 10, 64)
	id, err2 := strconv.ParseInt(strings.TrimSuffix(rest, "|"), 10, 64)
	if err1 != nil || err2 != nil || at < 0 || id < 0 {
		return position{}, errBadCursor
	}
	return position{at: at, ticket: id - 1}, nil
}
