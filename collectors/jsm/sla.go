package jsm

import (
	"fmt"
	"strings"
	"time"

	"github.com/support-exporter/support_exporter/exporter/item"
)

// The SLA metrics whose cycles date the first reply and the solves, and
// whose verdicts are the vendor's own. Jira Service Management creates them
// with these names in every service project; the API names them as the
// project does, in any case.
const (
	slaFirstResponse = "time to first response"
	slaResolution    = "time to resolution"
)

// figures reads the two SLA metrics; nil when the request has neither
// (its project measures other SLAs, or none).
//
//   - The first completed cycle of "Time to first response" and of "Time
//     to resolution" date the first reply and the first solve, and every
//     resolution cycle after the first is a reopen.
//   - The first run of each clock, with the vendor's verdict, is the
//     FirstResponseSLA and ResolutionSLA clock (see firstRun).
func figures(slas []apiSLA, replies int) (*item.Figures, error) {
	var firstResponse, resolution *apiSLA
	for i := range slas {
		switch strings.ToLower(strings.TrimSpace(slas[i].Name)) {
		case slaFirstResponse:
			firstResponse = &slas[i]
		case slaResolution:
			resolution = &slas[i]
		}
	}
	if firstResponse == nil && resolution == nil {
		return nil, nil
	}
	fig := &item.Figures{Replies: replies}
	var err error
	if fig.FirstResponseSLA, err = firstRun(firstResponse); err != nil {
		return nil, fmt.Errorf("%s: %w", slaFirstResponse, err)
	}
	if fig.ResolutionSLA, err = firstRun(resolution); err != nil {
		return nil, fmt.Errorf("%s: %w", slaResolution, err)
	}
	if fig.FirstResponseSLA != nil {
		fig.FirstReplyAt = fig.FirstResponseSLA.Stopped
	}
	if fig.ResolutionSLA != nil {
		fig.FirstSolvedAt = fig.ResolutionSLA.Stopped
	}
	if resolution != nil {
		cycles := len(resolution.CompletedCycles)
		if resolution.OngoingCycle != nil {
			cycles++
		}
		fig.Reopens = max(cycles-1, 0)
	}
	return fig, nil
}

// firstRun is the first run of a metric's clock: its earliest completed
// cycle, else its ongoing cycle; nil when the metric is absent or has no
// cycle yet. The API lists cycles in time order, but the earliest stop is
// taken whatever the order.
//
// A completed cycle gives its stop time, its verdict and its breach time.
// A running one gives its verdict and, unless paused, its breach time: a
// paused clock's deadline moves on when it resumes, so none is given.
func firstRun(s *apiSLA) (*item.SLAClock, error) {
	if s == nil {
		return nil, nil
	}
	var first *item.SLAClock
	for i, c := range s.CompletedCycles {
		stop, err := c.StopTime.at()
		if err != nil {
			return nil, fmt.Errorf("completedCycles[%d].stopTime: %w", i, err)
		}
		if first != nil && !stop.Before(first.Stopped) {
			continue
		}
		deadline, err := optionalAt(c.BreachTime)
		if err != nil {
			return nil, fmt.Errorf("completedCycles[%d].breachTime: %w", i, err)
		}
		first = &item.SLAClock{Deadline: deadline, Stopped: stop, Breached: c.Breached}
	}
	if first != nil || s.OngoingCycle == nil {
		return first, nil
	}
	run := &item.SLAClock{Breached: s.OngoingCycle.Breached}
	if !s.OngoingCycle.Paused {
		deadline, err := optionalAt(s.OngoingCycle.BreachTime)
		if err != nil {
			return nil, fmt.Errorf("ongoingCycle.breachTime: %w", err)
		}
		run.Deadline = deadline
	}
	return run, nil
}

// optionalAt converts a date the API may leave out: absent is the zero
// time, present but unusable an error.
func optionalAt(d *apiDate) (time.Time, error) {
	if d == nil {
		return time.Time{}, nil
	}
	return d.at()
}
