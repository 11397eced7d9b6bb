/* The toggle page as the integration tests set it up: see toggle.h. */
#include "toggle.h"

void toggle_add_alice(fx *f)
{
    fx_htpasswd(f, "htpasswd", TOGGLE_USER, TOGGLE_PASSWORD);
}

fx *toggle_new_site(const char *conf)
{
    fx *f = fx_new_site(conf);

    toggle_add_alice(f);
    return f;
}

const char *toggle_origin(fx *f)
{
    return fx_fmt(f, "Origin: %s", fx_url(f, ""));
}
