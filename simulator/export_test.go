package simulator

// Requests is how many requests that API has received, faulted ones
// included. Only the package's tests read the count; the end-to-end tests
// count the exporter's requests on the wire.
func (s *Sim) Requests(vendor, kind string) int {
	if e := s.apis[apiKey{vendor, kind}]; e != nil {
		return int(e.requests.Load())
	}
	return 0
}
