-- wrk script for bench/carga.py: logged-in borrowers read their statement, issue a FOPI, open it and
-- download its PDF. Each connection cycles through those four requests as one borrower of the list
-- (one "sessionid csrftoken folio" per line in the file named by the BENCH_USUARIOS variable). One connection
-- per wrk thread (carga.py runs -tN -cN): a thread's Lua state follows one request sequence.
--
-- A loan that reached its limit of FOPIs for the day (fopi/services.py FOPIS_POR_DIA) gets the form again with
-- the message, 200 and no new FOPI: that is the expected answer, counted apart (limite_fopi), and that cycle
-- reads the statement instead of a FOPI — never the previous borrower's FOPI. Real errors are the rest: any
-- answer of 400 or more (errores_http) and any other answer the journey did not expect (inesperadas), beside
-- wrk's socket errors and timeouts.

local usuarios = {}
local hilos = {}
local contador = 0

function setup(hilo)
  hilo:set("id", contador)
  contador = contador + 1
  table.insert(hilos, hilo)
end

function init(args)
  for linea in io.lines(os.getenv("BENCH_USUARIOS")) do
    local sesion, csrf, folio = linea:match("(%S+) (%S+) (%S+)")
    table.insert(usuarios, {sesion = sesion, csrf = csrf, folio = folio})
  end
  paso = 0
  siguiente = 1 + id * 7919 % #usuarios
  ubicacion = nil
  ultima = ""
  es_post = false
  errores_http = 0
  inesperadas = 0
  limite_fopi = 0
  fopis_nuevos = 0
  avisados = 0
end

local ESTADO = "/prestaciones/recuperacion-de-credito/estado-de-cuenta/"
local NUEVO = "/prestaciones/recuperacion-de-credito/fopi/nuevo/"
local LIMITE = "Ya generaste"

local function pedir(metodo, ruta, cabeceras, cuerpo)
  ultima = metodo .. " " .. ruta
  es_post = metodo == "POST"
  return wrk.format(metodo, ruta, cabeceras, cuerpo)
end

function request()
  local u = usuarios[siguiente]
  local cabeceras = {["Cookie"] = "sessionid=" .. u.sesion .. "; csrftoken=" .. u.csrf}
  local fase = paso % 4
  paso = paso + 1
  if fase == 0 then
    ubicacion = nil  -- this borrower's FOPI, once the POST below issues it
    return pedir("GET", ESTADO, cabeceras)
  elseif fase == 1 then
    cabeceras["Content-Type"] = "application/x-www-form-urlencoded"
    local cuerpo = "csrfmiddlewaretoken=" .. u.csrf .. "&prestamo=" .. u.folio .. "&tipo=PARCIAL&importe=500.00"
    return pedir("POST", NUEVO, cabeceras, cuerpo)
  elseif fase == 2 then
    return pedir("GET", ubicacion or ESTADO, cabeceras)
  else
    siguiente = siguiente % #usuarios + 1
    return pedir("GET", ubicacion and (ubicacion .. "pdf/") or ESTADO, cabeceras)
  end
end

local function avisar(texto)
  if avisados < 3 then
    avisados = avisados + 1
    io.write(texto .. "\n")
  end
end

function response(status, headers, body)
  if status >= 400 then
    errores_http = errores_http + 1
    avisar("ERROR " .. status .. " en " .. ultima)
  elseif es_post then
    if status == 302 and headers["Location"] then
      ubicacion = headers["Location"]
      fopis_nuevos = fopis_nuevos + 1
    elseif status == 200 and body and body:find(LIMITE, 1, true) then
      limite_fopi = limite_fopi + 1
    else
      inesperadas = inesperadas + 1
      avisar("INESPERADA " .. status .. " en " .. ultima)
    end
  end
end

function done(resumen, latencia, peticiones)
  local suma = {errores_http = 0, inesperadas = 0, limite_fopi = 0, fopis_nuevos = 0}
  for _, hilo in ipairs(hilos) do
    for clave, _ in pairs(suma) do
      suma[clave] = suma[clave] + (hilo:get(clave) or 0)
    end
  end
  local e = resumen.errors
  io.write(string.format("RESULTADO peticiones=%d errores_http=%d inesperadas=%d socket_connect=%d socket_read=%d " ..
    "socket_write=%d timeouts=%d limite_fopi=%d fopis_nuevos=%d wrk_status=%d p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
    resumen.requests, suma.errores_http, suma.inesperadas, e.connect, e.read, e.write, e.timeout, suma.limite_fopi,
    suma.fopis_nuevos, e.status, latencia:percentile(50) / 1000, latencia:percentile(95) / 1000,
    latencia:percentile(99) / 1000, latencia.max / 1000))
end
