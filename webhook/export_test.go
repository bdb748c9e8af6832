package webhook

// FailFanOut makes the worker's fan-out write tries fail while f returns
// an error; call it before Run.
func FailFanOut(w *Worker, f func() error) { w.failFanOut = f }
