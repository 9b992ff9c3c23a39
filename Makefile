# Oficina Virtual — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint install install-test migrate demo serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"

# The settings default to production (DEBUG off); these targets are a laptop's development server.
migrate demo run: export DJANGO_DEBUG = 1
run: export PORT := $(PORT)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py cargar_demo

run: demo
	@echo ""
	@echo "Oficina Virtual en http://127.0.0.1:$(PORT)/"
	@echo "  Derechohabientes de demostración (contraseña Prestamo2026!):"
	@echo "    maria  — crédito al corriente"
	@echo "    juan   — con un préstamo liquidado en su histórico"
	@echo "    ramon  — su dependencia dejó de descontarle"
	@echo "    rosa   — pensionada: su nómina de pensiones dejó de descontarle (¿pensión suspendida?)"
	@echo "  Personal CAPP (rol Supervisión): capp / CappDemo2026!  → http://127.0.0.1:$(PORT)/admin/"
	@echo "    segundo factor (TOTP): agrega a tu app de autenticación el secreto MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"
	@echo "    (otpauth://totp/capp?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U&issuer=Oficina%20Virtual)"
	@echo "    o usa un código de recuperación de los que imprimió cargar_demo arriba"
	@echo "  Pagaduría de la SEP: nomina_sep / NominaDemo2026!  → http://127.0.0.1:$(PORT)/dependencias/"
	@echo "    segundo factor (TOTP): secreto NBXW22LOMFPXGZLQMRSW2YLSMVZXI3DP"
	@echo "    (otpauth://totp/nomina_sep?secret=NBXW22LOMFPXGZLQMRSW2YLSMVZXI3DP&issuer=Oficina%20Virtual)"
	@echo "  Para registrarte: CURP LOSA820420MNLPNN07, RFC con homoclave LOSA820420TR5"
	@echo "    (el código de verificación del correo sale en esta consola)"
	@echo ""
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

AXE := node_modules/axe-core/axe.min.js

$(AXE):
	npm install --no-save --no-audit --no-fund axe-core@4 >/dev/null

test: install-test $(AXE)
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
