/*
 * testkit without its scheduled job, for the tests that count the
 * writer's pending writes (t/020, t/030, t/050): the job's write, every
 * second, would now and then be one more in the queue they count.
 */

#define TESTKIT_NO_JOB  1

#include "testkit.c"
