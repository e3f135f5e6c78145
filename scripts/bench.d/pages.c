/*
 * pages.c -- the bench's page cache control for a data set's LMDB file.
 *
 *   pages evict FILE   drop the file's clean pages from the page cache
 *                      (only pages no process maps: run it with nginx
 *                      stopped)
 *   pages read FILE    read every data extent of the file (holes skipped:
 *                      the file is sparse up to its map size) into the
 *                      page cache
 *
 * Why not dd or cat: a sequential read makes the kernel read ahead into
 * large folios (2 MB on Linux 6.18 ext4), and every 4 KB page a commit
 * later writes into such a folio costs the kernel a walk over all its 512
 * blocks, in pwrite and again in fdatasync: durable writes ran at half
 * the rate they have when the server faults its pages in itself (4 KB
 * each).  POSIX_FADV_RANDOM turns read-ahead off, so each page read here
 * is a folio of one page, as the server's own faults make them (with no
 * process mapping the file; see bk_cold in lib.sh for why the first read
 * comes before nginx starts).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK  (1024 * 1024)


static int
pages_read(int fd, const char *path)
{
    off_t    data, hole, off;
    ssize_t  n;
    char    *buf;

    if (posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM) != 0) {
        fprintf(stderr, "pages: posix_fadvise(%s) failed\n", path);
        return 1;
    }

    buf = malloc(CHUNK);
    if (buf == NULL) {
        return 1;
    }

    for (data = lseek(fd, 0, SEEK_DATA); data >= 0;
         data = lseek(fd, hole, SEEK_DATA))
    {
        hole = lseek(fd, data, SEEK_HOLE);
        if (hole < 0) {
            break;
        }

        for (off = data; off < hole; off += n) {
            n = pread(fd, buf, CHUNK, off);
            if (n <= 0) {
                if (n < 0) {
                    fprintf(stderr, "pages: read %s: %s\n", path,
                            strerror(errno));
                }
                free(buf);
                return n < 0;
            }
        }
    }

    free(buf);

    /* ENXIO: no data past the last offset asked, the normal end */
    if (errno != ENXIO) {
        fprintf(stderr, "pages: lseek %s: %s\n", path, strerror(errno));
        return 1;
    }

    return 0;
}


int
main(int argc, char **argv)
{
    int  fd, rc;

    if (argc != 3
        || (strcmp(argv[1], "evict") != 0 && strcmp(argv[1], "read") != 0))
    {
        fprintf(stderr, "usage: pages evict|read FILE\n");
        return 2;
    }

    fd = open(argv[2], O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "pages: open %s: %s\n", argv[2], strerror(errno));
        return 1;
    }

    if (strcmp(argv[1], "read") == 0) {
        rc = pages_read(fd, argv[2]);

    } else {
        /* dirty pages cannot be dropped: write them first */
        rc = fdatasync(fd) != 0
             || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0;
        if (rc) {
            fprintf(stderr, "pages: evict %s failed\n", argv[2]);
        }
    }

    close(fd);

    return rc;
}
