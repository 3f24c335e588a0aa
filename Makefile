# kam: PostgreSQL extension for key-account management and SaaS revenue analytics
EXTENSION = kam
MODULE_big = kam
OBJS = src/kam.o src/aggstate.o src/stats.o src/calendar.o src/retention.o src/accounts.o src/window.o src/history.o src/ltv.o src/survival.o src/rfm.o src/bgnbd.o src/optim.o src/scoring.o src/concentration.o src/portfolio.o src/surveys.o src/health.o src/trends.o src/ledger.o src/renewals.o src/cadence.o src/hierarchy.o src/sbg.o src/models.o src/paretonbd.o src/bgbb.o src/forecast.o src/equality.o src/symbols.o
# install scripts: each released version's script is frozen; later versions are reached by
# kam--A--B.sql update scripts, and the newest full script is built from them (docs/development.md)
DATA = sql/kam--0.1.0.sql sql/kam--0.1.0--0.2.0.sql sql/kam--0.2.0--0.3.0.sql
DATA_built = sql/kam--0.3.0.sql

TESTS = $(sort $(wildcard $(srcdir)/test/sql/*.sql))
REGRESS = $(basename $(notdir $(TESTS)))
# pg_regress reads test/sql/*.sql and compares with test/expected/*.out
# (top-level expected/ is a link to it)
REGRESS_OPTS = --inputdir=test

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
# server headers as system headers: -Wextra then reports only kam's own code
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server)
include $(PGXS)

$(OBJS): src/kam.h src/aggstate.h src/models.h src/accounts_hash.h

# kam--0.3.0.sql: the 0.1.0 script followed by each update script in order (their \echo
# guards removed)
KAM_UPDATES = sql/kam--0.1.0--0.2.0.sql sql/kam--0.2.0--0.3.0.sql
sql/kam--0.3.0.sql: sql/kam--0.1.0.sql $(KAM_UPDATES)
	@mkdir -p sql
	{ echo '-- kam 0.3.0, built by make from kam--0.1.0.sql and the update scripts: edit those'; \
	  cat $(word 1,$^); for u in $(wordlist 2,$(words $^),$^); do grep -v '^\\echo ' $$u; done; } > $@

# a VPATH build (pg_buildext, debian/) writes its objects under src/ of the build directory
ifdef VPATH
$(shell mkdir -p src)
endif

# make dist: the PGXN release archive of the committed tree (META.json's version)
KAM_VERSION = $(shell sed -n 's/^default_version = .\([0-9.]*\).*/\1/p' $(srcdir)/kam.control)
dist:
	git -C $(srcdir) archive --format=zip --prefix=kam-$(KAM_VERSION)/ -o $(CURDIR)/kam-$(KAM_VERSION).zip HEAD
	@echo "kam-$(KAM_VERSION).zip"
.PHONY: dist
