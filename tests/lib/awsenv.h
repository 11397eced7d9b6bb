/* The environment the s3: provider reads its credentials from, as a test
 * sets it for the httpd it starts (fixture.c execs httpd with this
 * process's environment, read at its start-up) or for configtest:
 *
 *     awsenv_start(f, (const char *const[]){ "AWS_ACCESS_KEY_ID=AK",
 *                                            "AWS_SECRET_ACCESS_KEY=S",
 *                                            NULL });
 *
 * No httpd here asks the instance metadata service of the machine the
 * tests run on (AWS_EC2_METADATA_DISABLED=true), unless a test points it
 * at a fake. */
#ifndef AWSENV_H
#define AWSENV_H

#include "fixture.h"

/* Before the tests: no proxy variables (the module's libcurl honours
 * them like any libcurl program; everything here is on loopback), and
 * awsenv_apply(NULL). */
void awsenv_init(void);

/* This process's environment: none of the AWS_ and MAINTENANCE_
 * variables whoever runs the tests has, but AWS_EC2_METADATA_DISABLED=true,
 * then env's NAME=value entries (env may be NULL). */
void awsenv_apply(const char *const *env);

/* Start f's httpd with env, then clean this process's environment
 * again. */
void awsenv_start(fx *f, const char *const *env);

#endif
