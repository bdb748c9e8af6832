package web

import "net/http"

// Handler returns one handler for everything this package serves:
// [Script] at [ScriptPath] and [Example] at [ExamplePath]; any other path
// is 404. It fails as [Example] does.
func Handler(cfg ExampleConfig) (http.Handler, error) {
	example, err := Example(cfg)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(ScriptPath, Script())
	mux.Handle(ExamplePath, example)
	return mux, nil
}
