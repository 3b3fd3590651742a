/* A binary module, as ansible-core's binary_modules target has one (in Go there): it reads the
   JSON arguments file named by argv[1] and prints its result as JSON. Built by the test. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    char args[65536] = "", name[256] = "World";
    FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;
    if (!f) {
        printf("{\"failed\": true, \"msg\": \"no arguments file\"}\n");
        return 1;
    }
    size_t n = fread(args, 1, sizeof args - 1, f);
    args[n] = 0;
    fclose(f);
    char *p = strstr(args, "\"name\": \"");
    if (p) {
        p += strlen("\"name\": \"");
        size_t len = strcspn(p, "\"");
        if (len >= sizeof name) len = sizeof name - 1;
        memcpy(name, p, len);
        name[len] = 0;
    }
    if (strcmp(name, "fail") == 0) {
        printf("{\"failed\": true, \"msg\": \"asked to fail\"}\n");
        return 1;
    }
    printf("{\"changed\": false, \"msg\": \"Hello, %s!\", \"check_mode\": %s}\n", name,
           strstr(args, "\"_ansible_check_mode\": true") ? "true" : "false");
    return 0;
}
