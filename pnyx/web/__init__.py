"""HTTP: the app factory, routes, CORS and error mapping. Thin: parse, call one service, render."""
