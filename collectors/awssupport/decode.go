package awssupport

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// The AWS Support API's JSON 1.1 shapes, as its API reference (and
// botocore's support-2013-04-15 model) names them; testdata/README.md
// says where each example comes from.

// describeCases is the body of a DescribeCases request.
type describeCases struct {
	CaseIDList            []string `json:"caseIdList,omitempty"`
	AfterTime             string   `json:"afterTime,omitempty"`
	IncludeResolvedCases  bool     `json:"includeResolvedCases"`
	IncludeCommunications bool     `json:"includeCommunications"`
	NextToken             string   `json:"nextToken,omitempty"`
	MaxResults            int      `json:"maxResults"`
	// Language filters: AWS answers only the cases in it when it is set
	// (boto/boto3#4520), every language when it is not. Never set.
	Language string `json:"language,omitempty"`
}

// describeCommunications is the body of a DescribeCommunications request.
type describeCommunications struct {
	CaseID     string `json:"caseId"`
	AfterTime  string `json:"afterTime,omitempty"`
	NextToken  string `json:"nextToken,omitempty"`
	MaxResults int    `json:"maxResults"`
}

type casesPage struct {
	Cases     []caseDetails `json:"cases"`
	NextToken string        `json:"nextToken"`
}

// caseDetails is what the collector reads of a case (CaseDetails).
type caseDetails struct {
	CaseID               string         `json:"caseId"`
	Status               string         `json:"status"`
	SeverityCode         string         `json:"severityCode"`
	TimeCreated          string         `json:"timeCreated"`
	RecentCommunications communications `json:"recentCommunications"`
}

// communications is both recentCommunications (the five latest) and a
// DescribeCommunications answer.
type communications struct {
	Communications []communication `json:"communications"`
	NextToken      string          `json:"nextToken"`
}

// communication is what the collector reads of one (Communication).
type communication struct {
	SubmittedBy string `json:"submittedBy"`
	TimeCreated string `json:"timeCreated"`
	// Body is read only to tell a communication a page repeats.
	Body string `json:"body"`
}

// timeFormat is how requests write afterTime: ISO 8601 in UTC with
// milliseconds, as AWS writes timeCreated.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// parseTime reads a timeCreated: ISO 8601, "2020-03-23T21:31:47.774Z" in
// every example.
func parseTime(v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad timeCreated %q", clip(v))
	}
	return t.UTC(), nil
}

// maxQuoted is how much of a value the vendor sent an error quotes: a
// forged one may be megabytes long.
const maxQuoted = 40

// clip shortens v to maxQuoted bytes, on a rune boundary, marking the cut.
func clip(v string) string {
	if len(v) <= maxQuoted {
		return v
	}
	n := maxQuoted
	for n > 0 && !utf8.RuneStart(v[n]) {
		n--
	}
	return v[:n] + "…"
}
