/* The toggle page as the integration tests set it up: the README's toggle
 * location (FX_TOGGLE_CONF) at TOGGLE, its user alice, and the Origin a
 * browser sends with the page's own forms. Requests to it are the
 * fixture's (fx_get_as, fx_post):
 *
 *     fx *f = toggle_new_site(FX_ENV_HEADERS FX_TOGGLE_CONF);
 *     fx_start(f);
 *     FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on", "for=1h"), 303);
 *     fx_res *r = fx_get_as(f, ALICE, TOGGLE "/", FX_ACCEPT_JSON);
 */
#ifndef TOGGLE_H
#define TOGGLE_H

#include "fixture.h"

/* Where FX_TOGGLE_CONF puts the handler. */
#define TOGGLE "/maintenance-mode"

/* The README's toggle location: TOGGLE, basic auth against
 * ${TESTDIR}/htpasswd (see toggle_add_alice), any valid user. */
#define FX_TOGGLE_CONF \
    "<Location \"" TOGGLE "\">\n" \
    "  SetHandler maintenance-toggle\n" \
    "  AuthType Basic\n  AuthName \"Maintenance\"\n" \
    "  AuthUserFile ${TESTDIR}/htpasswd\n" \
    "  Require valid-user\n" \
    "</Location>\n"

/* The inside of a <Location> or <Directory> for a toggle that anyone on
 * this machine may use: guarded by address alone, it takes changes
 * without a user (the README's MaintenanceToggleAnonymous recipe). */
#define TOGGLE_LOOPBACK \
    "  SetHandler maintenance-toggle\n" \
    "  Require ip 127.0.0.1\n" \
    "  MaintenanceToggleAnonymous On\n"

/* The user toggle_add_alice makes; ALICE as fx_get_as and fx_post take
 * her. */
#define TOGGLE_USER     "alice"
#define TOGGLE_PASSWORD "secret"
#define ALICE           TOGGLE_USER ":" TOGGLE_PASSWORD

/* Add alice to FX_TOGGLE_CONF's password file, ${TESTDIR}/htpasswd. */
void toggle_add_alice(fx *f);

/* fx_new_site with alice added: a site whose toggle she may use. */
fx *toggle_new_site(const char *conf);

/* "Origin: http://127.0.0.1:PORT": what a browser sends with a form of
 * the site's own pages. */
const char *toggle_origin(fx *f);

#endif
