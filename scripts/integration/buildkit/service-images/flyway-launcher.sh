#!/bin/sh
# /flyway/flyway of the flyway/flyway stand-in that scripts/integration/buildkit/service-images.sh
# builds: Flyway's command line from the jars next to it, laid out as in Flyway's own tarball
# (lib/flyway/*.jar: Flyway decides its install directory, and so its default location
# filesystem:<install dir>/sql, from the place of flyway-commandline's jar, two levels up).
# Honours JAVA_ARGS (JVM options) and CLASSPATH like the official launcher.
# Always passes -skipCheckForUpdate: no update check against Maven Central from CI machines.
# Flyway looks for that flag among all arguments, so its place does not matter (checked with
# -?, help, version, info, migrate, also when the caller passes it too).
set -eu
INSTALLDIR="$(dirname "$(readlink -f "$0")")"
# shellcheck disable=SC2086 # JAVA_ARGS holds several options, split on purpose
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" ${JAVA_ARGS:-} \
  -cp "${CLASSPATH:+$CLASSPATH:}$INSTALLDIR/lib/*:$INSTALLDIR/lib/flyway/*:$INSTALLDIR/drivers/*" \
  org.flywaydb.commandline.Main -skipCheckForUpdate "$@"
