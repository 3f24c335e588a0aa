# kam: PostgreSQL extension for key-account management and SaaS revenue analytics
EXTENSION = kam
MODULE_big = kam
OBJS = src/kam.o src/retention.o src/accounts.o src/window.o src/history.o src/ltv.o src/survival.o src/rfm.o src/bgnbd.o src/optim.o src/scoring.o src/concentration.o src/portfolio.o src/health.o
DATA = $(wildcard sql/kam--*.sql)

TESTS = $(sort $(wildcard test/sql/*.sql))
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
# pg_regress reads test/sql/*.sql and compares with test/expected/*.out
# (top-level expected/ is a link to it)
REGRESS_OPTS = --inputdir=test

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
# server headers as system headers: -Wextra then reports only kam's own code
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server)
include $(PGXS)

$(OBJS): src/kam.h
