import pytest

from moderation.authors import hashing


def test_an_address_and_its_network_hash_differently_and_never_contain_the_address():
    address = hashing.parse_address("203.0.113.7")
    address_hash = hashing.address_hash(address)
    network_hash = hashing.network_hash(hashing.network_of(address))
    assert address_hash != network_hash
    assert "203.0.113" not in address_hash + network_hash
    assert len(address_hash) == len(network_hash) == 64


def test_neighbours_share_the_network_hash_but_not_the_address_hash():
    first = hashing.comment_ip_hashes("203.0.113.7")
    neighbour = hashing.comment_ip_hashes("203.0.113.250")
    next_door = hashing.comment_ip_hashes("203.0.114.7")
    assert first[1] == neighbour[1] and first[0] != neighbour[0]
    assert first[1] != next_door[1]


def test_ipv6_networks_are_the_64_prefix():
    one = hashing.comment_ip_hashes("2001:db8:1:2::1")
    same_64 = hashing.comment_ip_hashes("2001:db8:1:2:ffff:ffff:ffff:ffff")
    other_64 = hashing.comment_ip_hashes("2001:db8:1:3::1")
    assert one[1] == same_64[1] != other_64[1]


def test_an_ipv4_mapped_ipv6_address_counts_as_the_ipv4_one():
    assert hashing.comment_ip_hashes("::ffff:203.0.113.7") == hashing.comment_ip_hashes(
        "203.0.113.7"
    )


def test_the_key_comes_from_the_setting_when_set(settings):
    before = hashing.comment_ip_hashes("203.0.113.7")
    settings.MODERATION_IP_HASH_KEY = "a-dedicated-key"
    assert hashing.hash_key() == b"a-dedicated-key"
    assert hashing.comment_ip_hashes("203.0.113.7") != before


def test_the_derived_key_is_not_the_secret_key_itself(settings):
    settings.MODERATION_IP_HASH_KEY = ""
    assert hashing.hash_key() != settings.SECRET_KEY.encode()


@pytest.mark.parametrize("value", ["203.0.113.0/16", "2001:db8::/48", "203.0.113.9/32"])
def test_a_network_of_another_size_is_refused(value):
    with pytest.raises(ValueError, match="/24"):
        hashing.parse_network(value)


def test_a_network_is_given_as_itself_or_by_any_address_in_it():
    assert hashing.parse_network("203.0.113.77") == hashing.parse_network("203.0.113.0/24")
    assert str(hashing.parse_network("2001:db8:1:2::99")) == "2001:db8:1:2::/64"


def test_a_comment_without_a_valid_address_has_no_hashes():
    assert hashing.comment_ip_hashes(None) == ("", "")
    assert hashing.comment_ip_hashes("not-an-ip") == ("", "")


@pytest.mark.django_db
def test_a_submitted_comment_carries_the_hashes_of_its_address_and_network(article):
    from moderation import services

    comment, _ = services.comment_submit(
        article_id=article.pk,
        author_name="Ana",
        author_email="ana@example.org",
        body="Hello",
        ip_address="203.0.113.7",
    )
    comment.refresh_from_db()
    assert (comment.ip_hash, comment.ip_network_hash) == hashing.comment_ip_hashes("203.0.113.7")
