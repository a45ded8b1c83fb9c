#!/usr/bin/perl
# mkdb.pl KIND SPEC OUT: build a MaxMind DB for the tests with Debian's
# libmaxmind-db-writer-perl, from a spec of one network a line:
#
#   NETWORK<TAB>CC<TAB>CITY<TAB>ASN<TAB>ORG
#
# "-" for a field left out; in CITY and ORG \xNN is the byte NN (the
# strings are then decoded as UTF-8, invalid sequences kept as bytes
# would be refused by the writer, so specs use valid UTF-8 only).  KIND
# "country" writes country.iso_code and city.names.en (a City database),
# "asn" autonomous_system_number and autonomous_system_organization (an
# ASN database); "empty" a database with no network at all.
use strict;
use warnings;
use Encode qw(decode);
use MaxMind::DB::Writer::Tree;

my ($kind, $spec, $out) = @ARGV;
die "usage: mkdb.pl country|asn|empty SPEC OUT\n" unless defined $out;

my %types = (
	country => 'map', iso_code => 'utf8_string', city => 'map',
	names => 'map', en => 'utf8_string',
	autonomous_system_number => 'uint32',
	autonomous_system_organization => 'utf8_string',
);
my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version => 6, record_size => 28,
	database_type => $kind eq 'asn' ? 'wiretop-Test-ASN' :
	    'wiretop-Test-City',
	languages => ['en'], description => { en => 'wiretop test data' },
	map_key_type_callback => sub { $types{$_[0]} },
	remove_reserved_networks => 0, alias_ipv6_to_ipv4 => 1,
);

sub unescape {
	my ($s) = @_;
	$s =~ s/\\x([0-9a-fA-F]{2})/chr(hex($1))/ge;
	return decode('UTF-8', $s, Encode::FB_CROAK);
}

open my $in, '<', $spec or die "$spec: $!\n";
while (my $line = <$in>) {
	chomp $line;
	next if $line =~ /^\s*(#|$)/;
	my ($net, $cc, $city, $asn, $org) = split /\t/, $line;
	my %rec;
	if ($kind eq 'country') {
		$rec{country} = { iso_code => $cc } if $cc ne '-';
		$rec{city} = { names => { en => unescape($city) } }
		    if $city ne '-';
	} elsif ($kind eq 'asn') {
		$rec{autonomous_system_number} = $asn + 0 if $asn ne '-';
		$rec{autonomous_system_organization} = unescape($org)
		    if $org ne '-';
	}
	$tree->insert_network($net, \%rec) if $kind ne 'empty';
}
close $in;
open my $fh, '>:raw', $out or die "$out: $!\n";
$tree->write_tree($fh);
close $fh or die "$out: $!\n";
