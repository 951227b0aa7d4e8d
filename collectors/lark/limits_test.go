package lark

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/support-exporter/support_exporter/collectors/internal/collectortest"
)

// TestDeclaredLimitPaces: the message API's declared limit (50 requests in
// any 3 s) holds a sync back, without the wall clock: a request that would
// have to wait past the sync's deadline fails at once (the shared
// limiter's rule), so a sync of 50 topic-thread tickets (1 chat request
// and 50 thread requests) under a 2 s deadline sends 50 and fails saying
// why.
func TestDeclaredLimitPaces(t *testing.T) {
	fake := &groupFake{expire: 7200, threads: map[string][]string{}}
	var chat []string
	for i := range 50 {
		id, thread := fmt.Sprintf("om_t%02d", i), fmt.Sprintf("omt_%02d", i)
		chat = append(chat, strings.Replace(msg(id, "", "ou_buyer1", "buyertenant", t0+int64(i), "topic"), `"msg_type"`, `"thread_id":"`+thread+`","msg_type"`, 1))
	}
	setChat(fake, chat...)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	now := time.Unix(t0+3600, 0).UTC()
	store := collectortest.NewStore()
	src := collectortest.NewSource(t, New, testEnv(t, srv, &now, store))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := src.Sync(ctx, nil, store.Emit)
	if err == nil || !strings.Contains(err.Error(), "declared limit of 50 requests per 3s") || !strings.Contains(err.Error(), "is longer than the time left") {
		t.Fatalf("sync error %v, want the declared limit's", err)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if len(fake.auth) != 50 {
		t.Errorf("%d message requests, want 50", len(fake.auth))
	}
}
