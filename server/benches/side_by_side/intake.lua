-- One lead per request, as a web form's backend posts it (server/benches/side_by_side.sh).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = os.getenv("BENCH_KEY")
wrk.headers["Host"] = os.getenv("BENCH_HOST")
wrk.body = '{"first_name":"Bench","last_name":"Lead","email":"bench@example.com",'
  .. '"phone":"555 0100 99","company":"Bench Co","source":"wrk","message":"hello"}'
