-- wrk script for bench/carga.py: logged-in borrowers read their statement, issue a FOPI, open it and
-- download its PDF. Each connection cycles through those four requests as one borrower of the list
-- (one "sessionid csrftoken folio" per line in the file named by the BENCH_USUARIOS variable). One connection
-- per wrk thread (carga.py runs -tN -cN): a thread's Lua state follows one request sequence.

local usuarios = {}
local contador = 0
local ultima = ""
local avisados = 0

function setup(hilo)
  hilo:set("id", contador)
  contador = contador + 1
end

function init(args)
  for linea in io.lines(os.getenv("BENCH_USUARIOS")) do
    local sesion, csrf, folio = linea:match("(%S+) (%S+) (%S+)")
    table.insert(usuarios, {sesion = sesion, csrf = csrf, folio = folio})
  end
  paso = 0
  siguiente = 1 + id * 7919 % #usuarios
  ubicacion = nil
end

local ESTADO = "/prestaciones/recuperacion-de-credito/estado-de-cuenta/"
local NUEVO = "/prestaciones/recuperacion-de-credito/fopi/nuevo/"

function request()
  local u = usuarios[siguiente]
  local cabeceras = {["Cookie"] = "sessionid=" .. u.sesion .. "; csrftoken=" .. u.csrf}
  local fase = paso % 4
  paso = paso + 1
  if fase == 0 then
    ultima = ESTADO
    return wrk.format("GET", ESTADO, cabeceras)
  elseif fase == 1 then
    cabeceras["Content-Type"] = "application/x-www-form-urlencoded"
    local cuerpo = "csrfmiddlewaretoken=" .. u.csrf .. "&prestamo=" .. u.folio .. "&tipo=PARCIAL&importe=500.00"
    ultima = "POST " .. NUEVO
    return wrk.format("POST", NUEVO, cabeceras, cuerpo)
  elseif fase == 2 and ubicacion then
    ultima = ubicacion
    return wrk.format("GET", ubicacion, cabeceras)
  else
    local pdf = ubicacion and (ubicacion .. "pdf/") or ESTADO
    siguiente = siguiente % #usuarios + 1
    ultima = pdf
    return wrk.format("GET", pdf, cabeceras)
  end
end

function response(status, headers, body)
  if status >= 400 and avisados < 3 then
    avisados = avisados + 1
    io.write("ERROR " .. status .. " en " .. ultima .. "\n")
  end
  if status == 302 and headers["Location"] then
    ubicacion = headers["Location"]
  end
end

function done(resumen, latencia, peticiones)
  io.write(string.format("RESULTADO peticiones=%d errores_http=%d errores_socket=%d p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
    resumen.requests, resumen.errors.status, resumen.errors.connect + resumen.errors.read + resumen.errors.write + resumen.errors.timeout,
    latencia:percentile(50) / 1000, latencia:percentile(95) / 1000, latencia:percentile(99) / 1000, latencia.max / 1000))
end
