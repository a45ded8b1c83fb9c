/*
 * main.c: (being written)
 */
#include "config.h"

int main(int, char **);

int
main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}
