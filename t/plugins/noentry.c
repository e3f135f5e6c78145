/* Test fixture: a shared object without pf_plugin_entry. */
int not_the_entry(void);

int
not_the_entry(void)
{
    return 0;
}
